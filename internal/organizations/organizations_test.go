package organizations

import (
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/awsproto"
	"github.com/sekisho/sekisho/internal/store"
)

func TestPaginate(t *testing.T) {
	items := []int{1, 2, 3, 4, 5}
	two := 2
	var got []int
	req := pageRequest{MaxResults: &two}
	for pages := 0; ; pages++ {
		page, next, e := paginate(items, req)
		if e != nil || pages > 3 {
			t.Fatalf("page %d: %v", pages, e)
		}
		got = append(got, page...)
		if next == nil {
			break
		}
		req.NextToken = *next
	}
	if len(got) != 5 || got[4] != 5 {
		t.Fatalf("pages gave %v", got)
	}
	for _, bad := range []pageRequest{{NextToken: "!!"}, {NextToken: "OTk"}, {MaxResults: new(int)}} {
		if _, _, e := paginate(items, bad); e == nil || e.Code != "InvalidInputException" {
			t.Errorf("%+v: %v", bad, e)
		}
	}
}

func TestCheckContent(t *testing.T) {
	code := func(err error) string {
		if err == nil {
			return ""
		}
		e, _ := err.(*awsproto.Error)
		return e.Code + " " + e.Extra["Reason"]
	}
	for _, c := range []struct{ content, policyType, want string }{
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}`, typeSCP, ""},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}]}`, typeRCP, ""},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}`, typeRCP, "MalformedPolicyDocumentException "},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}]}`, typeSCP, "MalformedPolicyDocumentException "},
		{`not json`, typeSCP, "MalformedPolicyDocumentException "},
		{`{"Version":"2012-10-17","Statement":[{"Sid":"` + strings.Repeat("a", maxPolicyChars) + `","Effect":"Deny","Action":"*","Resource":"*"}]}`, typeSCP,
			"ConstraintViolationException POLICY_CONTENT_LIMIT_EXCEEDED"},
	} {
		if got := code(checkContent(c.content, c.policyType)); got != c.want {
			t.Errorf("%s %.60s: %q, want %q", c.policyType, c.content, got, c.want)
		}
	}
}

func TestIDFormats(t *testing.T) {
	o := &org{&store.Organization{RootID: "r-ab12"}}
	for _, c := range []struct {
		id, prefix string
		n          int
	}{
		{newOrgID(), "o-", 12}, {newRootID(), "r-", 6}, {o.newUnitID(), "ou-ab12-", 16}, {newPolicyID(), "p-", 10}, {newAccountID(), "", 12},
	} {
		if !strings.HasPrefix(c.id, c.prefix) || len(c.id) != c.n {
			t.Errorf("%q: want %s and %d characters", c.id, c.prefix, c.n)
		}
	}
}
