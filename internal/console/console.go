// Package console serves Sekisho's web console at /console/: sign-in as
// an IAM user with a login profile, Switch Role, and pages over S3, IAM,
// the access map and the decision log. The console holds no privileges of
// its own: every page's data comes from SigV4-signed calls, made in
// process through the front door, as the signed-in identity.
package console

import (
	"context"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/sekisho/sekisho/internal/audit"
	"github.com/sekisho/sekisho/internal/creds"
	"github.com/sekisho/sekisho/internal/store"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// Prefix is where the console is served.
const Prefix = "/console"

// Config is what the console needs.
type Config struct {
	Store store.Store
	// Seal turns a console sign-in session into a session token the front
	// door accepts (the gate's sealer).
	Seal      func(*creds.Session) (string, error)
	Decisions *audit.Log
	// Gate answers the authorization questions the console has no API
	// call for (reading the decision log), as the signed-in identity.
	Gate Gatekeeper
	Now  func() time.Time
	Log  *slog.Logger
}

// Console is the web console's handler.
type Console struct {
	cfg       Config
	frontDoor http.Handler
	cookies   *cookieSealer
	limiter   *signInLimiter
	pages     map[string]*template.Template
	static    http.Handler

	mu sync.Mutex // guards frontDoor
}

// New builds the console; Attach must give it the front door before it
// serves.
func New(ctx context.Context, cfg Config) (*Console, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	sealer, err := loadCookieSealer(ctx, cfg.Store)
	if err != nil {
		return nil, fmt.Errorf("console: %w", err)
	}
	pages, err := parsePages()
	if err != nil {
		return nil, fmt.Errorf("console: templates: %w", err)
	}
	sub, _ := fs.Sub(staticFiles, "static")
	return &Console{cfg: cfg, cookies: sealer, limiter: newSignInLimiter(cfg.Now), pages: pages,
		static: http.StripPrefix(Prefix+"/static/", http.FileServer(http.FS(sub)))}, nil
}

// Attach gives the console the front door its data calls go through.
func (c *Console) Attach(frontDoor http.Handler) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.frontDoor = frontDoor
}

func (c *Console) door() http.Handler {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.frontDoor
}

// IsConsoleRequest recognizes the console's unsigned browser requests; a
// signed request for a bucket named "console" still goes to S3.
func IsConsoleRequest(r *http.Request) bool {
	p := r.URL.Path
	if p != Prefix && !strings.HasPrefix(p, Prefix+"/") {
		return false
	}
	q := r.URL.Query()
	return r.Header.Get("Authorization") == "" && q.Get("X-Amz-Signature") == "" && q.Get("Signature") == ""
}

// pageFunc serves one signed-in page.
type pageFunc func(w http.ResponseWriter, r *http.Request, s *state)

func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	path := strings.TrimPrefix(r.URL.Path, Prefix)
	if strings.HasPrefix(path, "/static/") {
		c.static.ServeHTTP(w, r)
		return
	}
	h.Set("Cache-Control", "no-store")
	if r.Method == http.MethodPost && !c.validCSRF(r) {
		c.renderStatus(w, r, http.StatusForbidden, "error", pageData{Title: "Forbidden",
			Error: "The request was refused: its CSRF token is missing or invalid. Reload the page and try again."})
		return
	}
	switch path {
	case "", "/":
		c.home(w, r)
		return
	case "/signin":
		c.signIn(w, r)
		return
	case "/mfa":
		c.verifyMFA(w, r)
		return
	case "/password":
		c.changePassword(w, r)
		return
	case "/signout":
		c.signOut(w, r)
		return
	}
	routes := map[string]pageFunc{
		"/switchrole":       c.switchRole,
		"/switchback":       c.switchBack,
		"/s3":               c.s3Buckets,
		"/s3/bucket":        c.s3Bucket,
		"/s3/object":        c.s3Download,
		"/s3/upload":        c.s3Upload,
		"/s3/delete":        c.s3Delete,
		"/s3/policy":        c.s3Policy,
		"/iam":              c.iamHome,
		"/iam/user":         c.iamUser,
		"/iam/role":         c.iamRole,
		"/iam/policy":       c.iamPolicy,
		"/iam/createuser":   c.iamCreateUser,
		"/iam/createpolicy": c.iamCreatePolicy,
		"/iam/trust":        c.iamEditTrust,
		"/map":              c.accessMap,
		"/decisions":        c.decisionLog,
		"/decisions/about":  c.decisionExplain,
		"/decisions/policy": c.generatePolicy,
	}
	page, ok := routes[path]
	if !ok {
		c.renderStatus(w, r, http.StatusNotFound, "error", pageData{Title: "Not found", Error: "No such console page."})
		return
	}
	s := c.signedIn(w, r)
	if s == nil {
		target := Prefix + "/"
		if path == "/switchrole" && r.Method == http.MethodGet {
			// Keep the shareable link through the sign-in.
			target += "?next=" + urlQueryEscape(r.URL.RequestURI())
		}
		http.Redirect(w, r, target, http.StatusSeeOther)
		return
	}
	page(w, r, s)
}
