package console_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/testenv"
)

// signInLocation opens the sign-in page with next and signs alice in,
// returning where the sign-in sends the browser.
func signInLocation(t *testing.T, env *testenv.Env, next string) string {
	t.Helper()
	b := newBrowser(t, env.URL)
	b.c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	_, html := b.get("/console/?next=" + url.QueryEscape(next))
	m := csrfPattern.FindStringSubmatch(html)
	if m == nil {
		t.Fatal("no CSRF token on the sign-in page")
	}
	resp, err := b.c.PostForm(env.URL+"/console/signin", url.Values{"account": {"account-b"}, "user": {"alice"},
		"password": {alicePassword}, "csrf": {m[1]}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("next %q: sign-in answered %d", next, resp.StatusCode)
	}
	return resp.Header.Get("Location")
}

// The page kept through the sign-in (next) is a Switch Role link of this
// console and nothing else: a path that a browser reads as another host
// once cleaned ("/\evil.example", which browsers take for
// "//evil.example") is dropped, not redirected to.
func TestConsoleNextIsNoOpenRedirect(t *testing.T) {
	env := testenv.Start(t)
	for _, next := range []string{
		`/console/switchrole/../../\evil.example`,
		`/console/switchrole/../..//evil.example`,
		`/console/switchrole/../../../evil.example/x`,
		`/console/switchroleX`,
	} {
		if loc := signInLocation(t, env, next); loc != "/console/" {
			t.Errorf("next %q: redirected to %q, want /console/", next, loc)
		}
	}
	loc := signInLocation(t, env, "/console/switchrole?account=account-a&roleName=assume_s3_role")
	if !strings.HasPrefix(loc, "/console/switchrole?") || !strings.Contains(loc, "roleName=assume_s3_role") {
		t.Errorf("a Switch Role link: redirected to %q", loc)
	}
}
