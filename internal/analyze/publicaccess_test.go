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
