package console_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/testenv"
)

// browser is a cookie-keeping client that does not follow redirects
// blindly: it follows them as a browser would, keeping the final page.
type browser struct {
	t    *testing.T
	base string
	c    *http.Client
}

func newBrowser(t *testing.T, base string) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: base, c: &http.Client{Jar: jar}}
}

var csrfPattern = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (b *browser) get(path string) (int, string) {
	b.t.Helper()
	resp, err := b.c.Get(b.base + path)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// post submits a form, with the CSRF token of page unless noCSRF.
func (b *browser) post(page, path string, form url.Values, noCSRF bool) (int, string) {
	b.t.Helper()
	if !noCSRF {
		_, html := b.get(page)
		m := csrfPattern.FindStringSubmatch(html)
		if m == nil {
			b.t.Fatalf("no CSRF token on %s", page)
		}
		form.Set("csrf", m[1])
	}
	resp, err := b.c.PostForm(b.base+path, form)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func (b *browser) signIn(t *testing.T, password string) (int, string) {
	return b.post("/console/?account=account-b", "/console/signin",
		url.Values{"account": {"account-b"}, "user": {"alice"}, "password": {password}}, false)
}

func TestConsoleSwitchRoleFlow(t *testing.T) {
	env := testenv.Start(t)
	b := newBrowser(t, env.URL)

	if code, html := b.signIn(t, "wrong"); code != http.StatusUnauthorized || !strings.Contains(html, "Your authentication information is incorrect") {
		t.Fatalf("wrong password: %d", code)
	}
	if code, _ := b.post("", "/console/signin", url.Values{"account": {"account-b"}, "user": {"alice"},
		"password": {"Alice-Console-Demo-1"}}, true); code != http.StatusForbidden {
		t.Fatalf("sign-in without CSRF token: %d, want 403", code)
	}
	if code, html := b.signIn(t, "Alice-Console-Demo-1"); code != http.StatusOK || !strings.Contains(html, "alice @ account-b") {
		t.Fatalf("sign-in: %d\n%s", code, html)
	}
	// alice may not use IAM or S3 of her own account beyond her policy.
	code, html := b.post("/console/switchrole", "/console/switchrole", url.Values{"account": {"account-a"},
		"roleName": {"sw-service1-infra"}, "displayName": {"infra"}}, false)
	if code != http.StatusForbidden || !strings.Contains(html, "Invalid information in one or more fields") ||
		!strings.Contains(html, "is not authorized to perform: sts:AssumeRole") || !strings.Contains(html, `data-testid="explanation"`) {
		t.Fatalf("refused switch: %d\n%s", code, html)
	}
	code, html = b.post("/console/switchrole", "/console/switchrole", url.Values{"account": {"111111111111"},
		"roleName": {"assume_s3_role"}, "displayName": {"S3 in A"}, "color": {"B7CA9D"}}, false)
	if code != http.StatusOK || !strings.Contains(html, "S3 in A") || !strings.Contains(html, "role-green") ||
		!strings.Contains(html, "assumed-role/assume_s3_role/alice") {
		t.Fatalf("switch: %d\n%s", code, html)
	}
	// A second switch is made as alice, not chained from the role session:
	// DESTINATION-ROLENAME trusts alice's ARN only.
	code, html = b.post("/console/switchrole", "/console/switchrole", url.Values{"account": {"111111111111"},
		"roleName": {"DESTINATION-ROLENAME"}, "displayName": {"Dest"}}, false)
	if code != http.StatusOK || !strings.Contains(html, "assumed-role/DESTINATION-ROLENAME/alice") {
		t.Fatalf("second switch: %d\n%s", code, html)
	}
	code, html = b.post("/console/switchrole", "/console/switchrole", url.Values{"account": {"111111111111"},
		"roleName": {"assume_s3_role"}, "displayName": {"S3 in A"}, "color": {"B7CA9D"}}, false)
	if code != http.StatusOK || !strings.Contains(html, "assumed-role/assume_s3_role/alice") {
		t.Fatalf("third switch: %d\n%s", code, html)
	}
	if _, html = b.get("/console/s3"); !strings.Contains(html, "account-a-bucket-0525") {
		t.Fatalf("buckets as the role:\n%s", html)
	}
	if code, body := b.get("/console/s3/object?bucket=account-a-bucket-0525&key=test.txt"); code != 200 || body != "hello from account A\n" {
		t.Fatalf("download: %d %q", code, body)
	}
	if code, html = b.post("/console/s3/bucket?bucket=account-a-bucket-0525", "/console/s3/delete",
		url.Values{"bucket": {"account-a-bucket-0525"}, "key": {"test.txt"}}, false); code != http.StatusForbidden ||
		!strings.Contains(html, "AccessDenied") || !strings.Contains(html, "s3:DeleteObject") {
		t.Fatalf("delete as a read-only role: %d\n%s", code, html)
	}
	if _, html = b.get("/console/decisions?denied=1"); !strings.Contains(html, "s3:DeleteObject") {
		t.Fatalf("decision log misses the refused delete:\n%s", html)
	}
	// Generate policy, per principal shown: the role session's policy,
	// with the refused delete as needed but not granted.
	session := "arn:aws:sts::111111111111:assumed-role/assume_s3_role/alice"
	link := `data-testid="generate-policy" data-principal="` + session + `" href="/console/decisions/policy?principal=`
	if !strings.Contains(html, link) {
		t.Fatalf("decision log lacks the generate-policy link %s:\n%s", link, html)
	}
	if code, html = b.get("/console/decisions/policy?principal=" + url.QueryEscape(session)); code != http.StatusOK ||
		!strings.Contains(html, "arn:aws:iam::111111111111:role/assume_s3_role") || !strings.Contains(html, "s3:GetObject") ||
		!strings.Contains(html, "arn:aws:s3:::account-a-bucket-0525/test.txt") || !strings.Contains(html, "Needed but not granted") ||
		!strings.Contains(html, `data-testid="not-granted"`) || !strings.Contains(html, "<td>s3:DeleteObject</td>") {
		t.Fatalf("generated policy: %d\n%s", code, html)
	}
	// The role may not read account A's authorization details: no map.
	if code, html = b.get("/console/map"); code != http.StatusForbidden || !strings.Contains(html, "AccessDenied") ||
		!strings.Contains(html, "is not authorized to perform: iam:GetAccountAuthorizationDetails") ||
		!strings.Contains(html, `data-testid="explanation"`) || strings.Contains(html, `data-testid="edge"`) {
		t.Fatalf("access map as assume_s3_role: %d\n%s", code, html)
	}
	if code, html = b.get("/console/decisions/policy?principal=nobody"); code != http.StatusBadRequest || !strings.Contains(html, "is not an ARN") {
		t.Fatalf("generate for a non-ARN: %d\n%s", code, html)
	}
	if code, html = b.post("/console/", "/console/switchback", url.Values{}, false); !strings.Contains(html, "alice @ account-b") ||
		!strings.Contains(html, "S3 in A") { // the role is in the history
		t.Fatalf("back to alice: %d\n%s", code, html)
	}
	// alice may not read the decision log (no cloudtrail:LookupEvents):
	// neither the log, an explanation nor a generated policy is shown.
	for _, page := range []string{"/console/decisions", "/console/decisions/about?id=x",
		"/console/decisions/policy?principal=" + url.QueryEscape(session)} {
		if code, html = b.get(page); code != http.StatusForbidden || !strings.Contains(html, "AccessDeniedException") ||
			!strings.Contains(html, "is not authorized to perform: cloudtrail:LookupEvents") ||
			!strings.Contains(html, `data-testid="explanation"`) || strings.Contains(html, "s3:DeleteObject") {
			t.Fatalf("%s as alice: %d\n%s", page, code, html)
		}
	}
	if _, html = b.get("/console/map"); !strings.Contains(html, `data-from="arn:aws:iam::222222222222:user/alice" data-to="arn:aws:iam::111111111111:role/assume_s3_role"`) {
		t.Fatalf("access map lacks alice → assume_s3_role:\n%s", html)
	}
	if code, _ = b.post("/console/", "/console/signout", url.Values{}, false); code != http.StatusOK {
		t.Fatalf("sign out: %d", code)
	}
	if _, html = b.get("/console/s3"); !strings.Contains(html, `action="/console/signin"`) {
		t.Fatal("signed out, yet S3 page served")
	}
}
