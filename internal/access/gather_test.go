package access_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/access"
	"github.com/sekisho/sekisho/internal/policy"
	"github.com/sekisho/sekisho/internal/store"
	"github.com/sekisho/sekisho/internal/store/sqlite"
	"github.com/sekisho/sekisho/internal/world"
)

const gatherWorld = `
accounts:
  - id: "111111111111"
    policies:
      - name: Attached
        document: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}'
      - name: Bound
        document: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}'
    groups:
      - name: devs
        inline_policies:
          group-inline: '{"Version":"2012-10-17","Statement":[{"Sid":"BROKEN","Effect":"Allow","Action":"s3:PutObject","Resource":"*"}]}'
    users:
      - name: alice
        groups: [devs]
        policies: [Attached, "arn:aws:iam::aws:policy/IAMFullAccess"]
        permissions_boundary: Bound
        inline_policies:
          own: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}'
`

// TestGatherer: one walk yields a user's own inline and attached
// policies, then its groups', and its boundary, with their origins; a
// document that does not compile fails the walk, or is skipped and
// reported when the gatherer skips.
func TestGatherer(t *testing.T) {
	st, err := sqlite.OpenMemory()
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	w, err := world.Parse([]byte(gatherWorld))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := world.Load(ctx, st, w); err != nil {
		t.Fatal(err)
	}
	errBroken := errors.New("marked broken")
	compile := func(doc string, typ policy.Type) (*policy.Policy, error) {
		if strings.Contains(doc, "BROKEN") {
			return nil, errBroken
		}
		return policy.Parse(doc, typ)
	}
	alice := access.Entity{Kind: store.KindUser, Account: "111111111111", Name: "alice",
		Boundary: "arn:aws:iam::111111111111:policy/Bound"}

	var skipped []string
	var pp access.PrincipalPolicies
	err = st.View(ctx, func(tx store.Tx) error {
		var err error
		pp, err = access.NewGatherer(compile, func(what string, err error) { skipped = append(skipped, what) }).Cached().Gather(tx, alice)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, gp := range pp.Identity {
		origin := "managed"
		if gp.Inline() {
			origin = "inline:" + string(gp.Owner)
		} else if gp.AWSManaged {
			origin = "aws-managed"
		}
		got = append(got, gp.Source.Name+"/"+origin)
	}
	if want := "own/inline:user Attached/managed IAMFullAccess/aws-managed"; strings.Join(got, " ") != want {
		t.Fatalf("identity = %v, want %s", got, want)
	}
	if pp.Boundary == nil || pp.Boundary.Source.Name != "Bound" || pp.BoundarySource() == nil {
		t.Fatalf("boundary = %+v", pp.Boundary)
	}
	if len(skipped) != 1 || !strings.Contains(skipped[0], "group-inline of group devs") {
		t.Fatalf("skipped = %v", skipped)
	}

	err = st.View(ctx, func(tx store.Tx) error {
		_, err := access.NewGatherer(compile, nil).Gather(tx, alice)
		return err
	})
	if !errors.Is(err, errBroken) {
		t.Fatalf("without skip: %v, want the compile error", err)
	}
}
