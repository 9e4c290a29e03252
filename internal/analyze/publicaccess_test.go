package analyze

import (
	"context"
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/store"
	"github.com/sekisho/sekisho/internal/store/sqlite"
	"github.com/sekisho/sekisho/internal/world"
)

// TestAccessReportPublicBuckets: a statement that makes a bucket public is
// marked so, with what Block Public Access does about it: nothing (no
// setting), or RestrictPublicBuckets at the account or bucket level.
func TestAccessReportPublicBuckets(t *testing.T) {
	st, err := sqlite.OpenMemory()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ctx := context.Background()
	if err := world.Load(ctx, st, parseWorld(t, publicWorld)); err != nil {
		t.Fatal(err)
	}
	report := func() (public, partner Finding) {
		t.Helper()
		s, err := Load(ctx, st)
		if err != nil {
			t.Fatal(err)
		}
		f := s.AccessReport()
		if len(f) != 2 {
			t.Fatalf("findings %+v", f)
		}
		return f[0], f[1]
	}
	pub, partner := report()
	if !pub.Public || !strings.HasPrefix(pub.PublicAccess, "public: no Block Public Access setting neutralises it") {
		t.Errorf("public statement without a block: %+v", pub)
	}
	if partner.Public || partner.PublicAccess != "" {
		t.Errorf("a grant to a named role under a PrincipalOrgID condition is not public: %+v", partner)
	}

	set := func(f func(tx store.Tx) error) {
		t.Helper()
		if err := st.Update(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	set(func(tx store.Tx) error {
		return tx.PutSetting("s3.publicAccessBlock/666666666666", "<PublicAccessBlockConfiguration><RestrictPublicBuckets>true</RestrictPublicBuckets></PublicAccessBlockConfiguration>")
	})
	if pub, _ = report(); !pub.Public || !strings.Contains(pub.PublicAccess, "neutralised by RestrictPublicBuckets, on at the account level") {
		t.Errorf("account-level RestrictPublicBuckets: %+v", pub)
	}
	set(func(tx store.Tx) error {
		return tx.PutBucketSetting("public-bucket", "publicAccessBlock", "<PublicAccessBlockConfiguration><RestrictPublicBuckets>true</RestrictPublicBuckets></PublicAccessBlockConfiguration>")
	})
	if pub, _ = report(); !strings.Contains(pub.PublicAccess, "on at the account and bucket level") {
		t.Errorf("RestrictPublicBuckets at both levels: %+v", pub)
	}
}

// TestAccessReportPublicACL: a bucket ACL granting AllUsers READ (ACLs
// enabled) is reported public, and neutralised once IgnorePublicAcls is on.
func TestAccessReportPublicACL(t *testing.T) {
	st, err := sqlite.OpenMemory()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ctx := context.Background()
	err = st.Update(ctx, func(tx store.Tx) error {
		if err := tx.PutAccount(store.Account{ID: "666666666666"}); err != nil {
			return err
		}
		if err := tx.CreateBucket(store.Bucket{Name: "acl-public", Account: "666666666666", Region: "us-east-1", Ownership: "ObjectWriter"}); err != nil {
			return err
		}
		return tx.PutBucketSetting("acl-public", "acl", `[{"ID":"0000000000000000000000000000000000000000000000000000666666666666","Permission":"FULL_CONTROL"},`+
			`{"URI":"http://acs.amazonaws.com/groups/global/AllUsers","Permission":"READ"}]`)
	})
	if err != nil {
		t.Fatal(err)
	}
	report := func() Finding {
		t.Helper()
		s, err := Load(ctx, st)
		if err != nil {
			t.Fatal(err)
		}
		f := s.AccessReport()
		if len(f) != 1 {
			t.Fatalf("findings %+v", f)
		}
		return f[0]
	}
	f := report()
	if !f.Public || f.Policy != "acl-public bucket ACL" || len(f.Principals) != 1 || f.Principals[0] != "AllUsers" ||
		len(f.Actions) != 1 || f.Actions[0] != "ACL READ" || !strings.HasPrefix(f.PublicAccess, "public: no Block Public Access setting") {
		t.Errorf("public ACL: %+v", f)
	}
	err = st.Update(ctx, func(tx store.Tx) error {
		return tx.PutBucketSetting("acl-public", "publicAccessBlock", "<PublicAccessBlockConfiguration><IgnorePublicAcls>true</IgnorePublicAcls></PublicAccessBlockConfiguration>")
	})
	if err != nil {
		t.Fatal(err)
	}
	if f := report(); !strings.HasPrefix(f.PublicAccess, "neutralised by IgnorePublicAcls, on at the bucket level") {
		t.Errorf("under IgnorePublicAcls: %+v", f)
	}
}
