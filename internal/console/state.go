package console

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/sekisho/sekisho/internal/store"
)

// cookieKeySetting is the store setting holding the key that seals the
// console's cookies, so every replica (and a restart) opens them.
const cookieKeySetting = "console.cookie-key"

const (
	sessionCookie = "sekisho_console"
	recentCookie  = "sekisho_console_roles"
	// sessionLifetime is how long a console sign-in lasts (AWS: 12 hours).
	sessionLifetime = 12 * time.Hour
	// roleLifetime is how long a switched role lasts (AWS: 1 hour).
	roleLifetime   = time.Hour
	maxRecentRoles = 5
)

// cookieSealer encrypts and authenticates cookie values (AES-256-GCM) and
// derives CSRF tokens.
type cookieSealer struct {
	aead    cipher.AEAD
	csrfKey []byte
}

func loadCookieSealer(ctx context.Context, st store.Store) (*cookieSealer, error) {
	var encoded string
	err := st.Update(ctx, func(tx store.Tx) error {
		v, err := tx.GetSetting(cookieKeySetting)
		if err == nil {
			encoded = v
			return nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		key := make([]byte, 32)
		_, _ = rand.Read(key)
		encoded = hex.EncodeToString(key)
		return tx.PutSetting(cookieKeySetting, encoded)
	})
	if err != nil {
		return nil, fmt.Errorf("cookie key: %w", err)
	}
	key, err := hex.DecodeString(encoded)
	if err != nil || len(key) != 32 {
		return nil, errors.New("cookie key: malformed setting " + cookieKeySetting)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("csrf"))
	return &cookieSealer{aead: aead, csrfKey: mac.Sum(nil)}, nil
}

func (c *cookieSealer) seal(name string, v any) (string, error) {
	plain, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, c.aead.NonceSize())
	_, _ = rand.Read(nonce)
	return base64.RawURLEncoding.EncodeToString(c.aead.Seal(nonce, nonce, plain, []byte(name))), nil
}

func (c *cookieSealer) open(name, value string, v any) bool {
	raw, err := base64.RawURLEncoding.DecodeString(value)
	if err != nil || len(raw) < c.aead.NonceSize() {
		return false
	}
	plain, err := c.aead.Open(nil, raw[:c.aead.NonceSize()], raw[c.aead.NonceSize():], []byte(name))
	return err == nil && json.Unmarshal(plain, v) == nil
}

// csrfToken binds a form to the browser's session id.
func (c *cookieSealer) csrfToken(sessionID string) string {
	mac := hmac.New(sha256.New, c.csrfKey)
	mac.Write([]byte(sessionID))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// credential is a set of temporary credentials.
type credential struct {
	AccessKeyID string `json:"k"`
	Secret      string `json:"s"`
	Token       string `json:"t"`
}

// roleRef names a role as the Switch Role form does.
type roleRef struct {
	Account string `json:"a"`
	Name    string `json:"n"`
	Display string `json:"d"`
	Color   string `json:"c"`
}

// roleState is the role the console has switched to.
type roleState struct {
	roleRef
	ARN     string     `json:"arn"`
	Cred    credential `json:"cred"`
	Expires time.Time  `json:"exp"`
}

// state is the console session, sealed into its cookie.
type state struct {
	ID      string     `json:"id"` // random; CSRF tokens are bound to it
	Account string     `json:"acct,omitempty"`
	Alias   string     `json:"alias,omitempty"`
	User    string     `json:"user,omitempty"`
	Root    bool       `json:"root,omitempty"`
	Stage   string     `json:"stage,omitempty"` // "mfa" or "password" until signed in
	MFA     bool       `json:"mfa,omitempty"`
	Cred    credential `json:"cred,omitzero"`
	Expires time.Time  `json:"exp,omitzero"`
	Role    *roleState `json:"role,omitempty"`
	Flash   string     `json:"flash,omitempty"`
	Next    string     `json:"next,omitempty"` // where to go once signed in
}

// signedInAs reports whether s is a complete sign-in.
func (s *state) signedIn(now time.Time) bool {
	return s.Account != "" && s.Stage == "" && s.Cred.AccessKeyID != "" && now.Before(s.Expires)
}

// current is the identity pages act as: the switched role, or the user.
func (s *state) current() credential {
	if s.Role != nil {
		return s.Role.Cred
	}
	return s.Cred
}

// currentAccount is the account of the identity pages act as.
func (s *state) currentAccount() string {
	if s.Role != nil {
		return s.Role.Account
	}
	return s.Account
}

func newSessionID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// load reads the session cookie; a visitor without one gets a fresh
// anonymous state (written back by save).
func (c *Console) load(r *http.Request) *state {
	s := &state{}
	if ck, err := r.Cookie(sessionCookie); err == nil && c.cookies.open(sessionCookie, ck.Value, s) && s.ID != "" {
		return s
	}
	return &state{ID: newSessionID()}
}

// signedIn returns the signed-in session, dropping an expired switched
// role (back to the user, as the console does when a role session ends).
func (c *Console) signedIn(w http.ResponseWriter, r *http.Request) *state {
	s := c.load(r)
	now := c.cfg.Now()
	if !s.signedIn(now) {
		return nil
	}
	if s.Role != nil && !now.Before(s.Role.Expires) {
		s.Flash = "Your session in role " + s.Role.Display + " has expired; you are back to " + s.User + "."
		s.Role = nil
		c.save(w, r, s)
	}
	return s
}

func (c *Console) save(w http.ResponseWriter, r *http.Request, s *state) {
	v, err := c.cookies.seal(sessionCookie, s)
	if err != nil {
		c.cfg.Log.Error("console: seal session", "err", err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: v, Path: Prefix, HttpOnly: true,
		Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode})
}

func (c *Console) clear(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: Prefix, MaxAge: -1, HttpOnly: true,
		Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode})
}

// recentRoles reads the last roles used (kept after sign-out, as AWS does).
func (c *Console) recentRoles(r *http.Request) []roleRef {
	var roles []roleRef
	if ck, err := r.Cookie(recentCookie); err == nil && c.cookies.open(recentCookie, ck.Value, &roles) {
		return roles
	}
	return nil
}

func (c *Console) rememberRole(w http.ResponseWriter, r *http.Request, ref roleRef) {
	roles := []roleRef{ref}
	for _, old := range c.recentRoles(r) {
		if len(roles) == maxRecentRoles {
			break
		}
		if old.Account != ref.Account || old.Name != ref.Name {
			roles = append(roles, old)
		}
	}
	v, err := c.cookies.seal(recentCookie, roles)
	if err != nil {
		return
	}
	http.SetCookie(w, &http.Cookie{Name: recentCookie, Value: v, Path: Prefix, MaxAge: 365 * 24 * 3600,
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode})
}

// validCSRF checks a POST's csrf form field against the session cookie.
func (c *Console) validCSRF(r *http.Request) bool {
	s := c.load(r)
	ck, err := r.Cookie(sessionCookie)
	if err != nil || ck.Value == "" {
		return false
	}
	got := r.FormValue("csrf")
	want := c.cookies.csrfToken(s.ID)
	return got != "" && hmac.Equal([]byte(got), []byte(want))
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }
