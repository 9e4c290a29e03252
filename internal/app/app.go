// Package app assembles Sekisho from its parts: the store, the gate, the
// services and the front door. The command line and the tests build the
// server the same way through it.
package app

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"github.com/sekisho/sekisho/internal/access"
	"github.com/sekisho/sekisho/internal/iam"
	"github.com/sekisho/sekisho/internal/server"
	"github.com/sekisho/sekisho/internal/sigv4"
	"github.com/sekisho/sekisho/internal/store"
	"github.com/sekisho/sekisho/internal/sts"
)

// Options adjust the assembled server.
type Options struct {
	TrustedProxies []netip.Prefix
	// Now replaces the clock (tests of expiry and skew).
	Now func() time.Time
}

// NewHandler wires every service over st.
func NewHandler(ctx context.Context, st store.Store, log *slog.Logger, opts Options) (http.Handler, error) {
	sealer, err := access.LoadSealer(ctx, st)
	if err != nil {
		return nil, err
	}
	gate := access.NewGate(st, sealer, opts.Now)
	return server.New(server.Config{
		Gate:     gate,
		Verifier: sigv4.NewVerifier(opts.Now),
		Log:      log,
		Query: map[string]server.QueryEndpoint{
			"sts": {Service: sts.New(st, gate, log), Namespace: sts.Namespace},
			"iam": {Service: iam.New(st, gate, log), Namespace: iam.Namespace},
		},
		TrustedProxies: opts.TrustedProxies,
		Now:            opts.Now,
	}), nil
}
