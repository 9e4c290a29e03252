package cli

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/sekisho/sekisho/internal/app"
	"github.com/sekisho/sekisho/internal/audit"
	"github.com/sekisho/sekisho/internal/store"
	"github.com/sekisho/sekisho/internal/store/postgres"
	"github.com/sekisho/sekisho/internal/store/sqlite"
	"github.com/sekisho/sekisho/internal/tlsutil"
	"github.com/sekisho/sekisho/internal/world"
)

type serveFlags struct {
	addr, dataDir, worldFile, logLevel string
	logFormat, metricsAddr             string
	storeURL, blobDir                  string
	inMemory, demo, imdsV1             bool
	containerToken                     string
	trustedProxies                     []string
	decisionLogSize                    int
	decisionRetention                  time.Duration
	record                             string

	idleTimeout, bodyReadTimeout time.Duration
	maxUploads                   int

	tlsAddr, tlsCert, tlsKey, tlsSelfSigned string
}

func newServeCommand() *cobra.Command {
	var f serveFlags
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve IAM, STS and S3 for many accounts on one port",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return serve(ctx, f, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.addr, "addr", "127.0.0.1:4566", "listen address")
	fl.StringVar(&f.dataDir, "data-dir", "sekisho-data", "directory for the embedded store")
	fl.StringVar(&f.storeURL, "store", "", "postgres://… to keep state in PostgreSQL, shared by replicas (default: SQLite in --data-dir)")
	fl.StringVar(&f.blobDir, "blob-dir", "", "directory for object bodies; with --store, one directory every replica shares")
	fl.BoolVar(&f.inMemory, "in-memory", false, "keep all state in memory (for tests)")
	fl.StringVar(&f.worldFile, "world", "", "world file (YAML) seeding the store: what it declares is created once, never reverted or re-created later")
	fl.BoolVar(&f.demo, "demo", false, "load the built-in demo world of the seeds and print its credentials")
	fl.StringArrayVar(&f.trustedProxies, "trusted-proxy", nil, "CIDR of a proxy whose X-Forwarded-For is believed (repeatable)")
	fl.StringVar(&f.logLevel, "log-level", "info", "debug, info, warn or error")
	fl.StringVar(&f.logFormat, "log-format", "json", "json or text")
	fl.StringVar(&f.metricsAddr, "metrics-addr", "", "serve Prometheus /metrics on this address instead of to loopback callers of --addr")
	fl.IntVar(&f.decisionLogSize, "decision-log-size", 10_000, "the last `N` decisions are kept in memory; the store keeps every denial for --decision-retention")
	fl.BoolVar(&f.imdsV1, "imds-v1", false, "let instance metadata be read without an IMDSv2 token")
	fl.StringVar(&f.containerToken, "container-token", "", "the Authorization value container-credential clients must send (AWS_CONTAINER_AUTHORIZATION_TOKEN)")
	fl.StringVar(&f.record, "record", "denials", "the decisions the store keeps: denials, allows or all (`policy generate` needs allows)")
	fl.DurationVar(&f.decisionRetention, "decision-retention", 24*time.Hour, "how long the store keeps decisions; 0 keeps them forever")
	fl.DurationVar(&f.idleTimeout, "idle-timeout", 60*time.Second, "close keep-alive connections idle this long")
	fl.DurationVar(&f.bodyReadTimeout, "body-read-timeout", app.DefaultBodyReadTimeout, "cut off a request body that sends nothing this long (RequestTimeout); 0: never")
	fl.IntVar(&f.maxUploads, "max-uploads", app.DefaultMaxUploads, "request bodies read at once; more get SlowDown; 0: no cap")
	fl.StringVar(&f.tlsAddr, "tls-addr", "", "HTTPS listen address, served beside --addr (default 127.0.0.1:4567 when a certificate is given)")
	fl.StringVar(&f.tlsCert, "tls-cert", "", "PEM certificate (chain) for HTTPS")
	fl.StringVar(&f.tlsKey, "tls-key", "", "PEM private key of --tls-cert")
	fl.StringVar(&f.tlsSelfSigned, "tls-self-signed", "", "`DIR` for a generated CA and loopback certificate (reused across restarts); clients trust DIR/ca.pem (AWS_CA_BUNDLE)")
	return cmd
}

// openStore opens the store and returns where object bodies go; in
// memory, bodies go to a temporary directory removed by cleanup.
func openStore(ctx context.Context, f serveFlags) (st store.Store, blobDir string, cleanup func(), err error) {
	if f.storeURL != "" {
		if f.blobDir == "" {
			return nil, "", nil, exitError{exitBadInput, errors.New("--store needs --blob-dir: a directory every replica shares")}
		}
		st, err = postgres.Open(ctx, f.storeURL)
		return st, f.blobDir, func() {}, err
	}
	if f.inMemory {
		dir, err := os.MkdirTemp("", "sekisho-objects-")
		if err != nil {
			return nil, "", nil, err
		}
		st, err = sqlite.OpenMemory()
		return st, dir, func() { os.RemoveAll(dir) }, err
	}
	if err := os.MkdirAll(f.dataDir, 0o700); err != nil {
		return nil, "", nil, fmt.Errorf("data dir: %w", err)
	}
	st, err = sqlite.Open(filepath.Join(f.dataDir, "sekisho.db"))
	blobDir = filepath.Join(f.dataDir, "objects")
	if f.blobDir != "" {
		blobDir = f.blobDir
	}
	return st, blobDir, func() {}, err
}

func serve(ctx context.Context, f serveFlags, stdout, stderr io.Writer) error {
	var level slog.Level
	if err := level.UnmarshalText([]byte(f.logLevel)); err != nil {
		return exitError{exitBadInput, fmt.Errorf("--log-level: %w", err)}
	}
	log, err := newLogger(f.logFormat, level, stderr)
	if err != nil {
		return exitError{exitBadInput, err}
	}
	proxies, err := parsePrefixes(f.trustedProxies)
	if err != nil {
		return exitError{exitBadInput, err}
	}
	worlds, err := worldsToLoad(f)
	if err != nil {
		return exitError{exitBadInput, err}
	}
	retention, err := decisionRetention(f)
	if err != nil {
		return exitError{exitBadInput, err}
	}
	record, err := audit.ParseRecording(f.record)
	if err != nil {
		return exitError{exitBadInput, err}
	}
	bodyTimeout, maxUploads, err := bodyLimits(f)
	if err != nil {
		return exitError{exitBadInput, err}
	}
	tlsConfig, err := loadTLS(f)
	if err != nil {
		return exitError{exitBadInput, err}
	}
	st, blobDir, cleanup, err := openStore(ctx, f)
	if err != nil {
		return err
	}
	defer cleanup()
	defer st.Close()
	a, err := app.New(ctx, app.Config{Store: st, BlobDir: blobDir, SharedBlobs: f.storeURL != "", Worlds: worlds, Log: log,
		TrustedProxies: proxies, DecisionLogSize: f.decisionLogSize, DecisionRetention: retention, Record: record,
		IMDSv1: f.imdsV1, ContainerToken: f.containerToken, BodyReadTimeout: bodyTimeout, MaxUploads: maxUploads,
		MetricsOnOwnAddr: f.metricsAddr != ""})
	if err != nil {
		return exitError{exitBadInput, err}
	}
	defer a.Close() // once runHTTP has shut the server down: the last decisions reach the store before it closes
	ls, err := listen(f, tlsConfig != nil)
	if err != nil {
		return err
	}
	stopMetrics, err := serveMetrics(f.metricsAddr, a.Metrics.Handler(), log)
	if err != nil {
		ls.close()
		return err
	}
	defer stopMetrics()
	announce(f, ls, log, stdout)
	srv := &http.Server{Handler: a.Handler, TLSConfig: tlsConfig, ReadHeaderTimeout: 30 * time.Second, IdleTimeout: f.idleTimeout,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		// HTTP/1.1 only, as S3 speaks it; the body deadlines are per connection.
		TLSNextProto: map[string]func(*http.Server, *tls.Conn, http.Handler){},
		ConnState:    func(c net.Conn, s http.ConnState) { a.Metrics.ConnState(c, s) }}
	return runHTTP(ctx, srv, ls, log)
}

// listen opens the HTTP listener and, with TLS, the HTTPS one.
func listen(f serveFlags, withTLS bool) (listeners, error) {
	ln, err := net.Listen("tcp", f.addr)
	if err != nil || !withTLS {
		return listeners{plain: ln}, err
	}
	tlsLn, err := net.Listen("tcp", tlsAddr(f))
	if err != nil {
		ln.Close()
		return listeners{}, err
	}
	return listeners{plain: ln, tls: tlsLn}, nil
}

// announce logs where Sekisho listens (the "serving" line tools wait for)
// and, with --demo, prints the credentials.
func announce(f serveFlags, ls listeners, log *slog.Logger, stdout io.Writer) {
	attrs := []any{"addr", ls.plain.Addr().String(), "services", "iam,sts,s3"}
	caBundle := ""
	if ls.tls != nil {
		attrs = append(attrs, "tls_addr", ls.tls.Addr().String())
		if f.tlsSelfSigned != "" {
			caBundle = filepath.Join(f.tlsSelfSigned, tlsutil.CAFile)
			attrs = append(attrs, "ca_bundle", caBundle)
		}
	}
	log.Info("serving", attrs...)
	if !f.demo {
		return
	}
	printDemo(stdout, "http://"+ls.plain.Addr().String())
	if ls.tls != nil {
		fmt.Fprintf(stdout, "\nHTTPS: https://%s\n", ls.tls.Addr())
		if caBundle != "" {
			fmt.Fprintf(stdout, "export AWS_CA_BUNDLE=%s\n", caBundle)
		}
	}
}

// bodyLimits checks the body flags and returns them as app.Config takes
// them (negative: no limit).
func bodyLimits(f serveFlags) (time.Duration, int, error) {
	if f.bodyReadTimeout < 0 {
		return 0, 0, fmt.Errorf("--body-read-timeout must not be negative, got %v", f.bodyReadTimeout)
	}
	if f.maxUploads < 0 {
		return 0, 0, fmt.Errorf("--max-uploads must not be negative, got %d", f.maxUploads)
	}
	if f.idleTimeout <= 0 {
		return 0, 0, fmt.Errorf("--idle-timeout must be positive, got %v", f.idleTimeout)
	}
	timeout, uploads := f.bodyReadTimeout, f.maxUploads
	if timeout == 0 {
		timeout = -1
	}
	if uploads == 0 {
		uploads = -1
	}
	return timeout, uploads, nil
}

// loadTLS returns the HTTPS configuration the flags ask for, or nil.
func loadTLS(f serveFlags) (*tls.Config, error) {
	var cert tls.Certificate
	var err error
	switch {
	case f.tlsSelfSigned != "" && (f.tlsCert != "" || f.tlsKey != ""):
		return nil, errors.New("--tls-self-signed and --tls-cert/--tls-key exclude each other")
	case f.tlsSelfSigned != "":
		cert, err = tlsutil.SelfSigned(f.tlsSelfSigned, time.Now())
	case f.tlsCert != "" || f.tlsKey != "":
		if f.tlsCert == "" || f.tlsKey == "" {
			return nil, errors.New("--tls-cert and --tls-key go together")
		}
		cert, err = tls.LoadX509KeyPair(f.tlsCert, f.tlsKey)
	case f.tlsAddr != "":
		return nil, errors.New("--tls-addr needs --tls-cert and --tls-key, or --tls-self-signed")
	default:
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("tls: %w", err)
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}

func tlsAddr(f serveFlags) string {
	if f.tlsAddr == "" {
		return "127.0.0.1:4567"
	}
	return f.tlsAddr
}

// listeners are the plain HTTP listener and, when serving TLS, the HTTPS one.
type listeners struct {
	plain, tls net.Listener
}

// decisionRetention checks the decision log flags and returns the
// retention as app.Config takes it (negative: forever).
func decisionRetention(f serveFlags) (time.Duration, error) {
	if f.decisionLogSize < 1 {
		return 0, fmt.Errorf("--decision-log-size must be at least 1, got %d", f.decisionLogSize)
	}
	switch {
	case f.decisionRetention < 0:
		return 0, fmt.Errorf("--decision-retention must not be negative, got %v", f.decisionRetention)
	case f.decisionRetention == 0:
		return -1, nil
	}
	return f.decisionRetention, nil
}

func worldsToLoad(f serveFlags) ([]*world.World, error) {
	var out []*world.World
	if f.demo {
		out = append(out, world.Demo())
	}
	if f.worldFile != "" {
		w, err := world.ReadFile(f.worldFile)
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, nil
}

// runHTTP serves on the listeners until ctx ends, then lets in-flight
// requests finish.
func runHTTP(ctx context.Context, srv *http.Server, ls listeners, log *slog.Logger) error {
	errc := make(chan error, 2)
	go func() { errc <- srv.Serve(ls.plain) }()
	serving := 1
	if ls.tls != nil {
		go func() { errc <- srv.ServeTLS(ls.tls, "", "") }()
		serving++
	}
	select {
	case err := <-errc:
		_ = srv.Close()
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	for range serving {
		if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	}
	return nil
}

func parsePrefixes(list []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range list {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return nil, fmt.Errorf("--trusted-proxy %q: %w", s, err)
		}
		out = append(out, p)
	}
	return out, nil
}

func newMigrateCommand() *cobra.Command {
	var storeURL string
	cmd := &cobra.Command{
		Use:   "migrate --store postgres://…",
		Short: "Apply the schema migrations to a PostgreSQL store (serve also does it at start)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if storeURL == "" {
				return exitError{exitBadInput, errors.New("--store is required")}
			}
			if err := postgres.Migrate(cmd.Context(), storeURL); err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), "migrated")
			return nil
		},
	}
	cmd.Flags().StringVar(&storeURL, "store", "", "postgres://… DSN")
	return cmd
}
