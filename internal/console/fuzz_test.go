package console

import (
	"context"
	"testing"

	"github.com/sekisho/sekisho/internal/store/sqlite"
)

// FuzzOpenCookie: any cookie value is refused or opened, never a panic,
// and only what was sealed opens.
func FuzzOpenCookie(f *testing.F) {
	st, err := sqlite.OpenMemory()
	if err != nil {
		f.Fatal(err)
	}
	defer st.Close()
	c, err := loadCookieSealer(context.Background(), st)
	if err != nil {
		f.Fatal(err)
	}
	sealed, _ := c.seal(sessionCookie, &state{ID: "abc", Account: "111111111111"})
	f.Add(sealed)
	f.Add("")
	f.Add("not-base64!")
	f.Fuzz(func(t *testing.T, value string) {
		var s state
		if c.open(sessionCookie, value, &s) && value != sealed {
			t.Fatalf("a forged cookie opened: %q", value)
		}
		var roles []roleRef
		_ = c.open(recentCookie, value, &roles)
	})
}

// FuzzRenderTrust: any trust policy text renders or is skipped.
func FuzzRenderTrust(f *testing.F) {
	f.Add(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}}`)
	f.Add(`{"Statement":[{"NotPrincipal":"x","NotAction":["a"],"Condition":{"Bool":{"aws:SecureTransport":"true"}}}]}`)
	f.Add(`{"Statement":7}`)
	f.Fuzz(func(t *testing.T, doc string) {
		_ = renderTrust(doc)
		_ = prettyJSON(doc)
		_ = breadcrumbs(doc)
	})
}
