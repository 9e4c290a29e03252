package console_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/store"
	"github.com/sekisho/sekisho/internal/testenv"
	"github.com/sekisho/sekisho/internal/totp"
	"github.com/sekisho/sekisho/internal/world"
)

const mfaSeed = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

// accountC has a root user with a console password, a user with an MFA device, one whose password must be
// changed, and an administrator.
const accountC = `
accounts:
  - id: "333333333333"
    alias: account-c
    root: {email: root@account-c.example, password: Root-Password-C-1}
    users:
      - name: mallory
        password: Mallory-Password-1
        mfa_devices: [{name: mallory-phone, seed: ` + mfaSeed + `}]
        policies: [arn:aws:iam::aws:policy/AdministratorAccess]
      - name: rita
        password: Rita-Old-Password-1
      - name: admin
        password: Admin-Password-1
        policies: [arn:aws:iam::aws:policy/AdministratorAccess]
    buckets:
      - name: account-c-bucket
`

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func startC(t *testing.T, opts ...testenv.Option) *testenv.Env {
	w, err := world.Parse([]byte(accountC))
	if err != nil {
		t.Fatal(err)
	}
	return testenv.Start(t, append(opts, testenv.WithWorld(w))...)
}

func (b *browser) signInAs(account, user, password string) (int, string) {
	return b.post("/console/", "/console/signin", url.Values{"account": {account}, "user": {user}, "password": {password}}, false)
}

func TestConsoleMFA(t *testing.T) {
	clk := &clock{t: time.Now()}
	env := startC(t, testenv.WithClock(clk.now))
	b := newBrowser(t, env.URL)
	code, html := b.signInAs("333333333333", "mallory", "Mallory-Password-1")
	if code != http.StatusOK || !strings.Contains(html, `action="/console/mfa"`) {
		t.Fatalf("password accepted, MFA code expected: %d\n%s", code, html)
	}
	if _, html = b.get("/console/s3"); strings.Contains(html, "account-c-bucket") {
		t.Fatal("pages served before the MFA code")
	}
	if code, _ = b.post("/console/", "/console/mfa", url.Values{"code": {"000000"}}, false); code != http.StatusUnauthorized {
		t.Fatalf("wrong MFA code: %d", code)
	}
	key, _ := totp.DecodeSeed(mfaSeed)
	clk.advance(totp.Step) // a fresh step: the wrong code above did not use one, but keep the test independent of it
	code, html = b.post("/console/", "/console/mfa", url.Values{"code": {totp.Code(key, clk.now())}}, false)
	if code != http.StatusOK || !strings.Contains(html, "with MFA") {
		t.Fatalf("right MFA code: %d\n%s", code, html)
	}
	if _, html = b.get("/console/iam"); !strings.Contains(html, "mallory") || strings.Contains(html, "error-inline") {
		t.Fatalf("IAM as mallory with MFA:\n%s", html)
	}
}

func TestConsolePasswordResetRequired(t *testing.T) {
	env := startC(t)
	err := env.Store.Update(context.Background(), func(tx store.Tx) error {
		p, err := tx.GetLoginProfile("333333333333", "rita")
		if err != nil {
			return err
		}
		p.ResetRequired = true
		return tx.PutLoginProfile(p)
	})
	if err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, env.URL)
	if code, html := b.signInAs("account-c", "rita", "Rita-Old-Password-1"); code != http.StatusOK || !strings.Contains(html, "PasswordResetRequired") {
		t.Fatalf("reset required, change expected: %d\n%s", code, html)
	}
	if _, html := b.get("/console/s3"); strings.Contains(html, "Buckets") {
		t.Fatal("pages served before the password change")
	}
	change := func(old, new, confirm string) (int, string) {
		return b.post("/console/", "/console/password", url.Values{"old": {old}, "new": {new}, "confirm": {confirm}}, false)
	}
	if code, html := change("Rita-Old-Password-1", "short", "short"); code != http.StatusBadRequest || !strings.Contains(html, "minimum length of 8") {
		t.Fatalf("short password: %d", code)
	}
	if code, _ := change("wrong-old-password", "Rita-New-Password-2", "Rita-New-Password-2"); code != http.StatusBadRequest {
		t.Fatalf("wrong old password: %d", code)
	}
	if code, html := change("Rita-Old-Password-1", "Rita-New-Password-2", "Rita-New-Password-2"); code != http.StatusOK || !strings.Contains(html, "rita @ account-c") {
		t.Fatalf("change: %d\n%s", code, html)
	}
	b2 := newBrowser(t, env.URL)
	if code, html := b2.signInAs("account-c", "rita", "Rita-New-Password-2"); code != http.StatusOK || !strings.Contains(html, "rita @ account-c") {
		t.Fatalf("sign-in with the new password: %d\n%s", code, html)
	}
}

func TestConsoleSignInRateLimited(t *testing.T) {
	env := startC(t)
	b := newBrowser(t, env.URL)
	for range 5 {
		if code, _ := b.signInAs("account-c", "admin", "wrong"); code != http.StatusUnauthorized {
			t.Fatalf("wrong password: %d", code)
		}
	}
	if code, html := b.signInAs("account-c", "admin", "Admin-Password-1"); code != http.StatusTooManyRequests || !strings.Contains(html, "Too many failed sign-in attempts") {
		t.Fatalf("sixth try: %d", code)
	}
}

func TestConsoleSessionExpires(t *testing.T) {
	clk := &clock{t: time.Now()}
	env := startC(t, testenv.WithClock(clk.now))
	b := newBrowser(t, env.URL)
	if code, _ := b.signInAs("account-c", "admin", "Admin-Password-1"); code != http.StatusOK {
		t.Fatalf("sign in: %d", code)
	}
	if _, html := b.get("/console/s3"); !strings.Contains(html, "account-c-bucket") {
		t.Fatalf("buckets:\n%s", html)
	}
	clk.advance(12*time.Hour + time.Minute)
	if _, html := b.get("/console/s3"); !strings.Contains(html, `action="/console/signin"`) {
		t.Fatal("a 12-hour-old session still served pages")
	}
}

func TestConsoleCookies(t *testing.T) {
	env := startC(t)
	resp, err := http.Get(env.URL + "/console/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cookies := resp.Cookies()
	if len(cookies) != 1 || !cookies[0].HttpOnly || cookies[0].SameSite != http.SameSiteLaxMode || cookies[0].Secure || cookies[0].Path != "/console" {
		t.Fatalf("session cookie: %+v", cookies)
	}
	if resp.Header.Get("Content-Security-Policy") == "" || resp.Header.Get("X-Frame-Options") != "DENY" {
		t.Fatalf("security headers: %v", resp.Header)
	}
}

// The shareable Switch Role link survives the sign-in.
func TestConsoleSwitchRoleLinkThroughSignIn(t *testing.T) {
	env := testenv.Start(t)
	b := newBrowser(t, env.URL)
	link := "/console/switchrole?account=account-a&roleName=assume_s3_role&displayName=Linked"
	if _, html := b.get(link); !strings.Contains(html, `action="/console/signin"`) {
		t.Fatal("link opened without a sign-in")
	}
	code, html := b.post("/console/?next="+url.QueryEscape(link), "/console/signin",
		url.Values{"account": {"account-b"}, "user": {"alice"}, "password": {alicePassword}}, false)
	if code != http.StatusOK || !strings.Contains(html, `value="assume_s3_role"`) || !strings.Contains(html, `value="Linked"`) {
		t.Fatalf("after sign-in, the filled form expected: %d\n%s", code, html)
	}
}

// Validation errors of the services show inline.
func TestConsoleValidationInline(t *testing.T) {
	env := startC(t)
	b := newBrowser(t, env.URL)
	if code, _ := b.signInAs("account-c", "admin", "Admin-Password-1"); code != http.StatusOK {
		t.Fatalf("sign in: %d", code)
	}
	code, html := b.post("/console/s3/policy?bucket=account-c-bucket", "/console/s3/policy",
		url.Values{"bucket": {"account-c-bucket"}, "policy": {`{"Version":"2012-10-17","Statement":[{"Effect":"Allow"}]}`}}, false)
	if code != http.StatusBadRequest || !strings.Contains(html, "MalformedPolicy") || !strings.Contains(html, `&#34;Effect&#34;:&#34;Allow&#34;`) || strings.Contains(html, "Why: allowed") {
		t.Fatalf("malformed bucket policy: %d\n%s", code, html)
	}
	good := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::333333333333:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::account-c-bucket/*"}]}`
	if code, html = b.post("/console/s3/policy?bucket=account-c-bucket", "/console/s3/policy",
		url.Values{"bucket": {"account-c-bucket"}, "policy": {good}}, false); code != http.StatusOK || !strings.Contains(html, "Bucket policy saved") {
		t.Fatalf("bucket policy: %d\n%s", code, html)
	}
	if code, html = b.post("/console/iam", "/console/iam/createuser", url.Values{"name": {"bad name!"}}, false); code != http.StatusBadRequest ||
		!strings.Contains(html, "ValidationError") {
		t.Fatalf("invalid user name: %d\n%s", code, html)
	}
	if code, html = b.post("/console/iam", "/console/iam/createuser", url.Values{"name": {"newbie"}}, false); code != http.StatusOK ||
		!strings.Contains(html, "User newbie created") {
		t.Fatalf("create user: %d\n%s", code, html)
	}
	if code, html = b.post("/console/iam/createpolicy", "/console/iam/createpolicy", url.Values{"name": {"Broken"},
		"policy": {`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject"}]}`}}, false); code != http.StatusBadRequest ||
		!strings.Contains(html, "MalformedPolicyDocument") {
		t.Fatalf("malformed policy: %d\n%s", code, html)
	}
	if code, html = b.post("/console/iam/createpolicy", "/console/iam/createpolicy", url.Values{"name": {"ReadC"},
		"policy": {`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`}}, false); code != http.StatusOK ||
		!strings.Contains(html, "Policy ReadC created") || !strings.Contains(html, "v1") {
		t.Fatalf("create policy: %d\n%s", code, html)
	}
	if code, html = b.post("/console/iam/role?name=x", "/console/iam/trust", url.Values{"name": {"nosuchrole"}, "policy": {"{}"}}, false); code < 400 {
		t.Fatalf("trust policy of a missing role: %d", code)
	}
}

func TestConsoleRootSignIn(t *testing.T) {
	env := startC(t)
	b := newBrowser(t, env.URL)
	root := func(account, password string) (int, string) {
		return b.post("/console/", "/console/signin", url.Values{"kind": {"root"}, "account": {account}, "password": {password}}, false)
	}
	for _, tc := range []struct{ account, password string }{
		{"account-c", "wrong"},
		{"account-c", "Admin-Password-1"},     // an IAM user's password is not the root's
		{"account-b", "Root-Password-C-1"},    // another account's root has no password
		{"999999999999", "Root-Password-C-1"}, // no such account
	} {
		if code, html := root(tc.account, tc.password); code != http.StatusUnauthorized || !strings.Contains(html, "Your authentication information is incorrect") {
			t.Fatalf("root sign-in to %s with %q: %d", tc.account, tc.password, code)
		}
	}
	if code, html := root("333333333333", "Root-Password-C-1"); code != http.StatusOK || !strings.Contains(html, "root @ account-c") {
		t.Fatalf("root sign-in: %d\n%s", code, html)
	}
	// The root session is the account's root principal: every page of its
	// own account, as the engine allows the root.
	if _, html := b.get("/console/s3"); !strings.Contains(html, "account-c-bucket") {
		t.Fatalf("buckets as root:\n%s", html)
	}
	if _, html := b.get("/console/iam"); !strings.Contains(html, "mallory") {
		t.Fatalf("IAM as root:\n%s", html)
	}
	if code, html := b.get("/console/decisions"); code != http.StatusOK || !strings.Contains(html, "arn:aws:iam::333333333333:root") {
		t.Fatalf("decision log as root: %d\n%s", code, html)
	}
	if code, _ := b.get("/console/map"); code != http.StatusOK {
		t.Fatalf("access map as root: %d", code)
	}
	// As in AWS, the root user cannot switch roles.
	code, html := b.post("/console/switchrole", "/console/switchrole", url.Values{"account": {"account-a"},
		"roleName": {"assume_s3_role"}, "displayName": {"A"}}, false)
	if code == http.StatusOK || !strings.Contains(html, "Roles may not be assumed by root accounts") {
		t.Fatalf("switch role as root: %d\n%s", code, html)
	}
}

// The failed sign-ins of a user count alike whichever way the account is
// named: alternating its alias and its id (or the alias's case) gives no
// more tries.
func TestConsoleSignInLimitNamesTheAccountOnce(t *testing.T) {
	env := startC(t)
	b := newBrowser(t, env.URL)
	for i, account := range []string{"account-c", "333333333333", "ACCOUNT-C", "333333333333", "account-c"} {
		if code, _ := b.signInAs(account, "admin", "wrong"); code != http.StatusUnauthorized {
			t.Fatalf("wrong password %d: %d", i, code)
		}
	}
	if code, _ := b.signInAs("333333333333", "admin", "Admin-Password-1"); code != http.StatusTooManyRequests {
		t.Fatalf("sixth try by the account id: %d, want 429", code)
	}
}

// A display name past the form's 64 characters is refused, not switched
// to: the session cookie holding it (and the flash naming it) would pass
// the 4 KB browsers keep, and the browser would silently drop the switch.
func TestConsoleSwitchRoleDisplayNameBounded(t *testing.T) {
	env := testenv.Start(t)
	b := newBrowser(t, env.URL)
	if code, _ := b.signIn(t, alicePassword); code != http.StatusOK {
		t.Fatalf("sign-in: %d", code)
	}
	code, html := b.post("/console/switchrole", "/console/switchrole", url.Values{"account": {"account-a"},
		"roleName": {"assume_s3_role"}, "displayName": {strings.Repeat("x", 3000)}}, false)
	if code != http.StatusBadRequest || !strings.Contains(html, "64 characters") {
		t.Fatalf("3000-character display name: %d", code)
	}
}
