package server

import (
	"context"
	"encoding/json"
	"io"
	"net/http"

	"github.com/sekisho/sekisho/internal/oidc"
)

// TokenPath serves `sekisho token oidc`: tokens of the built-in issuers.
const TokenPath = "/_sekisho/token/oidc"

// TokenIssuer signs tokens for the built-in identity providers.
type TokenIssuer interface {
	Issue(ctx context.Context, req oidc.TokenRequest) (string, error)
}

// serveToken answers POST /_sekisho/token/oidc (a JSON oidc.TokenRequest)
// with a signed token. Anyone holding such a token may assume every role
// that trusts the issuer, so only loopback callers are served, like the
// decision log.
func (s *Server) serveToken(w http.ResponseWriter, r *http.Request) {
	if !fromLoopback(r) {
		http.Error(w, "tokens are issued to loopback callers only", http.StatusForbidden)
		return
	}
	if s.cfg.Tokens == nil {
		http.Error(w, "the built-in identity providers are off", http.StatusNotFound)
		return
	}
	if r.Method != http.MethodPost {
		http.Error(w, "POST a token request", http.StatusMethodNotAllowed)
		return
	}
	var req oidc.TokenRequest
	if err := json.NewDecoder(io.LimitReader(r.Body, 64<<10)).Decode(&req); err != nil {
		http.Error(w, "the token request is not valid JSON: "+err.Error(), http.StatusBadRequest)
		return
	}
	token, err := s.cfg.Tokens.Issue(r.Context(), req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/jwt")
	_, _ = io.WriteString(w, token+"\n")
}
