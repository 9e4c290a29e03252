package console

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/sekisho/sekisho/internal/access"
	"github.com/sekisho/sekisho/internal/creds"
	"github.com/sekisho/sekisho/internal/mfa"
	"github.com/sekisho/sekisho/internal/store"
	"github.com/sekisho/sekisho/internal/world"
)

// AWS's sign-in answers.
const (
	msgBadCredentials = "Your authentication information is incorrect. Please try again."
	msgTooManyTries   = "Too many failed sign-in attempts. Wait a few minutes, then try again."
	msgBadMFA         = "Your authentication information is incorrect. Please try again."
)

// Failed sign-ins are limited per user and per client address (more
// generous: one address may be a whole office behind a proxy).
const (
	maxFailures        = 5
	maxAddressFailures = 20
	failureWindow      = 15 * time.Minute
	// maxTracked bounds the limiter's memory: past it, expired entries go.
	maxTracked = 10_000
)

// signInLimiter counts recent failed sign-ins.
type signInLimiter struct {
	now      func() time.Time
	mu       sync.Mutex
	failures map[string][]time.Time
}

func newSignInLimiter(now func() time.Time) *signInLimiter {
	return &signInLimiter{now: now, failures: map[string][]time.Time{}}
}

// recent drops failures older than the window and returns how many remain.
func (l *signInLimiter) recent(key string) int {
	cutoff := l.now().Add(-failureWindow)
	kept := l.failures[key][:0]
	for _, t := range l.failures[key] {
		if t.After(cutoff) {
			kept = append(kept, t)
		}
	}
	if len(kept) == 0 {
		delete(l.failures, key)
	} else {
		l.failures[key] = kept
	}
	return len(kept)
}

func (l *signInLimiter) blocked(keys ...string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range keys {
		limit := maxFailures
		if strings.HasPrefix(k, "addr:") {
			limit = maxAddressFailures
		}
		if l.recent(k) >= limit {
			return true
		}
	}
	return false
}

func (l *signInLimiter) fail(keys ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.failures) > maxTracked {
		for k := range l.failures {
			l.recent(k)
		}
	}
	for _, k := range keys {
		l.failures[k] = append(l.failures[k], l.now())
	}
}

func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// home is the sign-in page, or the dashboard once signed in.
func (c *Console) home(w http.ResponseWriter, r *http.Request) {
	s := c.load(r)
	now := c.cfg.Now()
	if s.signedIn(now) {
		c.render(w, r, s, "home", pageData{Title: "Console home"})
		return
	}
	switch s.Stage {
	case "mfa":
		c.render(w, r, s, "mfa", pageData{Title: "Multi-factor authentication"})
		return
	case "password":
		c.render(w, r, s, "password", pageData{Title: "Change password"})
		return
	}
	if next := switchRoleLink(r.URL.Query().Get("next")); next != "" {
		s.Next = next
	}
	*s = state{ID: s.ID, Next: s.Next}
	c.save(w, r, s)
	c.render(w, r, s, "signin", pageData{Title: "Sign in", Data: signInForm{Account: r.URL.Query().Get("account")}})
}

// switchRoleLink returns next rebuilt as this console's Switch Role page
// with next's query, or "" when next is anything else. A prefix test is
// not enough: http.Redirect cleans the path, and a cleaned
// "/console/switchrole/../../\evil.example" is "/\evil.example", which
// browsers follow to the host evil.example.
func switchRoleLink(next string) string {
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" ||
		u.Path != Prefix+"/switchrole" || u.RawPath != "" {
		return ""
	}
	if u.RawQuery == "" {
		return u.Path
	}
	return u.Path + "?" + u.RawQuery
}

type signInForm struct {
	Account, User string
	Root          bool
}

// resolveAccount finds an account by id or alias.
func (c *Console) resolveAccount(ctx context.Context, idOrAlias string) (store.Account, bool) {
	var found store.Account
	ok := false
	_ = c.cfg.Store.View(ctx, func(tx store.Tx) error {
		accounts, err := tx.ListAccounts()
		for _, a := range accounts {
			if a.ID == idOrAlias || (a.Alias != "" && strings.EqualFold(a.Alias, idOrAlias)) {
				found, ok = a, true
			}
		}
		return err
	})
	return found, ok
}

func (c *Console) signIn(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Redirect(w, r, Prefix+"/", http.StatusSeeOther)
		return
	}
	s := c.load(r)
	form := signInForm{Account: strings.TrimSpace(r.FormValue("account")), User: strings.TrimSpace(r.FormValue("user")),
		Root: r.FormValue("kind") == "root"}
	refuse := func(status int, msg string) {
		c.renderStatus(w, r, status, "signin", pageData{Title: "Sign in", Error: msg, Data: form, S: s, CSRF: c.cookies.csrfToken(s.ID)})
	}
	if form.Root {
		form.User = ""
	}
	userKey, addrKey := c.failureKey(r.Context(), form), "addr:"+clientAddr(r)
	if c.limiter.blocked(userKey, addrKey) {
		refuse(http.StatusTooManyRequests, msgTooManyTries)
		return
	}
	if form.Root {
		account, ok := c.checkRootPassword(r.Context(), form.Account, r.FormValue("password"))
		if !ok {
			c.limiter.fail(userKey, addrKey)
			refuse(http.StatusUnauthorized, msgBadCredentials)
			return
		}
		next := *s
		*s = state{ID: newSessionID(), Account: account.ID, Alias: account.Alias, User: rootDisplayName, Root: true, Next: next.Next}
		if !c.finishSignIn(w, r, s) {
			return
		}
		c.save(w, r, s)
		c.afterSignIn(w, r, s)
		return
	}
	account, ok := c.resolveAccount(r.Context(), form.Account)
	var user store.User
	var profile store.LoginProfile
	var devices []store.MFADevice
	if ok {
		err := c.cfg.Store.View(r.Context(), func(tx store.Tx) error {
			var err error
			if user, err = tx.GetUser(account.ID, form.User); err != nil {
				return err
			}
			if profile, err = tx.GetLoginProfile(account.ID, user.Name); err != nil {
				return err
			}
			devices, err = tx.ListUserMFADevices(account.ID, user.Name)
			return err
		})
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			c.cfg.Log.Error("console: sign-in lookup", "err", err)
			refuse(http.StatusServiceUnavailable, "The sign-in service is unavailable. Try again later.")
			return
		}
		ok = err == nil
	}
	if !ok || !world.CheckPassword(profile.PasswordHash, r.FormValue("password")) {
		c.limiter.fail(userKey, addrKey)
		refuse(http.StatusUnauthorized, msgBadCredentials)
		return
	}
	next := *s
	*s = state{ID: newSessionID(), Account: account.ID, Alias: account.Alias, User: user.Name, Next: next.Next}
	switch {
	case len(devices) > 0:
		s.Stage = "mfa"
	case profile.ResetRequired:
		s.Stage = "password"
	default:
		if !c.finishSignIn(w, r, s) {
			return
		}
	}
	c.save(w, r, s)
	c.afterSignIn(w, r, s)
}

// failureKey is the limiter's key of a sign-in's user: the account by id
// however the form names it (id or alias, in any case), so alternating
// the names gives no more tries.
func (c *Console) failureKey(ctx context.Context, form signInForm) string {
	accountKey := strings.ToLower(form.Account)
	if account, ok := c.resolveAccount(ctx, form.Account); ok {
		accountKey = account.ID
	}
	if form.Root {
		return "root:" + accountKey
	}
	return "user:" + accountKey + "/" + strings.ToLower(form.User)
}

// afterSignIn sends the browser to its next step.
func (c *Console) afterSignIn(w http.ResponseWriter, r *http.Request, s *state) {
	target := Prefix + "/"
	if s.Stage == "" && s.Next != "" {
		target = s.Next
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// rootDisplayName is how the top bar names a root sign-in.
const rootDisplayName = "root"

// checkRootPassword finds the account by id or alias and checks its root
// user's console password (seeded by the world file's root.password).
func (c *Console) checkRootPassword(ctx context.Context, idOrAlias, password string) (store.Account, bool) {
	account, ok := c.resolveAccount(ctx, idOrAlias)
	if !ok {
		return store.Account{}, false
	}
	var hash string
	err := c.cfg.Store.View(ctx, func(tx store.Tx) error {
		var err error
		hash, err = tx.GetSetting(world.RootPasswordSetting(account.ID))
		return err
	})
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		c.cfg.Log.Error("console: root sign-in lookup", "err", err)
	}
	return account, err == nil && world.CheckPassword(hash, password)
}

// finishRootSignIn mints the root user's console session credentials: a
// root session, as the engine knows root callers (no identity policies;
// SCPs of a member account still apply).
func (c *Console) finishRootSignIn(w http.ResponseWriter, r *http.Request, s *state) bool {
	now := c.cfg.Now().UTC().Truncate(time.Second)
	sess := &creds.Session{AccessKeyID: creds.NewAccessKeyID(true), SecretAccessKey: creds.NewSecretKey(),
		Account: s.Account, Kind: creds.RootSession, Console: true, IssuedAt: now, Expires: now.Add(sessionLifetime)}
	return c.sealSignIn(w, r, s, sess)
}

// sealSignIn turns sess into the console session's credentials.
func (c *Console) sealSignIn(w http.ResponseWriter, r *http.Request, s *state, sess *creds.Session) bool {
	token, err := c.cfg.Seal(sess)
	if err != nil {
		c.cfg.Log.Error("console: seal sign-in session", "err", err)
		c.renderStatus(w, r, http.StatusInternalServerError, "error", pageData{Title: "Error", Error: "The session could not be created."})
		return false
	}
	s.Cred = credential{AccessKeyID: sess.AccessKeyID, Secret: sess.SecretAccessKey, Token: token}
	s.Expires = sess.Expires
	s.Stage = ""
	return true
}

// finishSignIn mints the user's console session credentials.
func (c *Console) finishSignIn(w http.ResponseWriter, r *http.Request, s *state) bool {
	if s.Root {
		return c.finishRootSignIn(w, r, s)
	}
	var user store.User
	err := c.cfg.Store.View(r.Context(), func(tx store.Tx) error {
		var err error
		user, err = tx.GetUser(s.Account, s.User)
		return err
	})
	if err != nil {
		c.renderStatus(w, r, http.StatusUnauthorized, "signin", pageData{Title: "Sign in", Error: msgBadCredentials, S: s, Data: signInForm{}})
		return false
	}
	now := c.cfg.Now().UTC().Truncate(time.Second)
	sess := &creds.Session{AccessKeyID: creds.NewAccessKeyID(true), SecretAccessKey: creds.NewSecretKey(),
		Account: s.Account, Kind: creds.UserSession, UserARN: access.UserARN(user), UserID: user.ID,
		MFA: s.MFA, Console: true, IssuedAt: now, Expires: now.Add(sessionLifetime)}
	if s.MFA {
		sess.MFAAuthAt = now
	}
	if !c.sealSignIn(w, r, s, sess) {
		return false
	}
	c.notePasswordUse(r.Context(), user, now)
	return true
}

// verifyMFA checks the code of the user's MFA device, as the API does.
func (c *Console) verifyMFA(w http.ResponseWriter, r *http.Request) {
	s := c.load(r)
	if r.Method != http.MethodPost || s.Stage != "mfa" {
		http.Redirect(w, r, Prefix+"/", http.StatusSeeOther)
		return
	}
	key := "user:" + strings.ToLower(s.Account+"/"+s.User)
	if c.limiter.blocked(key) {
		c.renderStatus(w, r, http.StatusTooManyRequests, "mfa", pageData{Title: "Multi-factor authentication", Error: msgTooManyTries, S: s})
		return
	}
	var devices []store.MFADevice
	err := c.cfg.Store.View(r.Context(), func(tx store.Tx) error {
		var err error
		devices, err = tx.ListUserMFADevices(s.Account, s.User)
		return err
	})
	code := strings.TrimSpace(r.FormValue("code"))
	verified := false
	for _, d := range devices {
		if err == nil && mfa.Verify(r.Context(), c.cfg.Store, c.cfg.Now(), s.Account, s.User, d.Serial, code) == nil {
			verified = true
			break
		}
	}
	if !verified {
		c.limiter.fail(key)
		c.renderStatus(w, r, http.StatusUnauthorized, "mfa", pageData{Title: "Multi-factor authentication", Error: msgBadMFA, S: s})
		return
	}
	s.MFA = true
	var profile store.LoginProfile
	_ = c.cfg.Store.View(r.Context(), func(tx store.Tx) error {
		profile, err = tx.GetLoginProfile(s.Account, s.User)
		return err
	})
	if profile.ResetRequired {
		s.Stage = "password"
	} else if !c.finishSignIn(w, r, s) {
		return
	}
	c.save(w, r, s)
	c.afterSignIn(w, r, s)
}

// changePassword is the forced change of PasswordResetRequired.
func (c *Console) changePassword(w http.ResponseWriter, r *http.Request) {
	s := c.load(r)
	if r.Method != http.MethodPost || s.Stage != "password" {
		http.Redirect(w, r, Prefix+"/", http.StatusSeeOther)
		return
	}
	refuse := func(msg string) {
		c.renderStatus(w, r, http.StatusBadRequest, "password", pageData{Title: "Change password", Error: msg, S: s})
	}
	oldPassword, newPassword := r.FormValue("old"), r.FormValue("new")
	if newPassword != r.FormValue("confirm") {
		refuse("The passwords do not match.")
		return
	}
	if msg := passwordPolicyViolation(newPassword, s.User); msg != "" {
		refuse(msg)
		return
	}
	err := c.cfg.Store.Update(r.Context(), func(tx store.Tx) error {
		p, err := tx.GetLoginProfile(s.Account, s.User)
		if err != nil {
			return err
		}
		if !world.CheckPassword(p.PasswordHash, oldPassword) {
			return errWrongPassword
		}
		p.PasswordHash, p.ResetRequired = world.HashPassword(newPassword), false
		return tx.PutLoginProfile(p)
	})
	switch {
	case errors.Is(err, errWrongPassword):
		refuse("The old password is incorrect.")
		return
	case err != nil:
		c.cfg.Log.Error("console: change password", "err", err)
		refuse("The password could not be changed. Try again later.")
		return
	}
	if !c.finishSignIn(w, r, s) {
		return
	}
	c.save(w, r, s)
	c.afterSignIn(w, r, s)
}

var errWrongPassword = errors.New("wrong password")

// passwordPolicyViolation applies AWS's default password policy: at least
// 8 characters, three of the four character classes, not the user name.
func passwordPolicyViolation(p, user string) string {
	if len(p) < 8 || len(p) > 128 {
		return "Password should have a minimum length of 8"
	}
	if strings.EqualFold(p, user) {
		return "Password must not be the same as the user name."
	}
	var upper, lower, digit, symbol bool
	for _, r := range p {
		switch {
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsLower(r):
			lower = true
		case unicode.IsDigit(r):
			digit = true
		default:
			symbol = true
		}
	}
	classes := 0
	for _, ok := range []bool{upper, lower, digit, symbol} {
		if ok {
			classes++
		}
	}
	if classes < 3 {
		return "Password must contain at least three of: uppercase letters, lowercase letters, numbers, symbols."
	}
	return ""
}

func (c *Console) signOut(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Redirect(w, r, Prefix+"/", http.StatusSeeOther)
		return
	}
	c.clear(w, r)
	http.Redirect(w, r, Prefix+"/", http.StatusSeeOther)
}

// notePasswordUse records a sign-in with the password as the user's
// PasswordLastUsed (GetUser, policy diff). It is bookkeeping: a failure is
// logged, not shown.
func (c *Console) notePasswordUse(ctx context.Context, user store.User, at time.Time) {
	err := c.cfg.Store.Update(ctx, func(tx store.Tx) error {
		return tx.RecordUses([]store.CredentialUse{{UserID: user.ID, At: at}})
	})
	if err != nil {
		c.cfg.Log.Warn("console: record the password's last use", "user", user.Name, "err", err)
	}
}
