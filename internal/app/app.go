// Package app assembles Sekisho from its parts: the store, the object
// store, the worlds, the gate, the services and the front door. The
// command line and the tests build the server the same way through it.
package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"github.com/sekisho/sekisho/internal/access"
	"github.com/sekisho/sekisho/internal/audit"
	"github.com/sekisho/sekisho/internal/authmsg"
	"github.com/sekisho/sekisho/internal/authz"
	"github.com/sekisho/sekisho/internal/blob"
	"github.com/sekisho/sekisho/internal/console"
	"github.com/sekisho/sekisho/internal/creds"
	"github.com/sekisho/sekisho/internal/iam"
	"github.com/sekisho/sekisho/internal/imds"
	"github.com/sekisho/sekisho/internal/metrics"
	"github.com/sekisho/sekisho/internal/organizations"
	"github.com/sekisho/sekisho/internal/s3"
	"github.com/sekisho/sekisho/internal/server"
	"github.com/sekisho/sekisho/internal/sigv4"
	"github.com/sekisho/sekisho/internal/store"
	"github.com/sekisho/sekisho/internal/sts"
	"github.com/sekisho/sekisho/internal/world"
)

// Config is what a Sekisho server is made of.
type Config struct {
	Store   store.Store
	BlobDir string // where object bodies live
	// SharedBlobs is set when several replicas use BlobDir at once.
	SharedBlobs bool
	Worlds      []*world.World
	Log         *slog.Logger

	TrustedProxies []netip.Prefix
	// VirtualHostBases are host names under which bucket.<base> addresses
	// a bucket; the default is "localhost" and "s3.localhost".
	VirtualHostBases []string
	// Now replaces the clock (tests of expiry and skew).
	Now func() time.Time
	// DecisionLogSize bounds the in-memory decision log (default 10,000).
	DecisionLogSize int
	// DecisionRetention is how long the store keeps decisions: 0 means
	// the default, 24 hours; a negative value keeps them forever.
	DecisionRetention time.Duration
	// Record selects the decisions the store keeps (denials by default).
	Record audit.Recording
	// IMDSv1 lets instance metadata be read without an IMDSv2 token.
	IMDSv1 bool
	// ContainerToken, when set, must be sent by container-credential clients.
	ContainerToken string
	// BodyReadTimeout is how long a request body may send nothing before
	// it is cut off with RequestTimeout: 0 means DefaultBodyReadTimeout, a
	// negative value no limit.
	BodyReadTimeout time.Duration
	// MaxUploads caps the request bodies read at once (SlowDown beyond):
	// 0 means DefaultMaxUploads, a negative value no cap.
	MaxUploads int
	// CompiledPolicyBudget bounds the estimated bytes of compiled policies
	// kept in memory (0: access.DefaultCompiledPolicyBudget, 64 MiB).
	CompiledPolicyBudget int
	// MetricsOnOwnAddr is set when a listener of its own serves
	// App.Metrics; otherwise Handler serves them to loopback callers.
	MetricsOnOwnAddr bool
}

// App is an assembled server. Close it once its handler has stopped
// serving, before closing the store.
type App struct {
	Handler   http.Handler
	Blobs     *blob.Store
	STS       *sts.Service
	Decisions *audit.Log
	S3        *s3.Service
	Metrics   *metrics.Metrics

	stop      context.CancelFunc // ends the background work: decision log writes, lifecycle sweeps
	persisted chan struct{}      // closed when the decision log's last flush is done
}

// defaultDecisionRetention is how long the store keeps decisions unless
// Config says otherwise.
const defaultDecisionRetention = 24 * time.Hour

// Close writes the decisions not yet in the store and stops writing them.
// It returns when they are written (or given up on, after ten seconds),
// and may be called more than once.
func (a *App) Close() {
	a.stop()
	<-a.persisted
}

// New loads the worlds and wires every service.
func New(ctx context.Context, cfg Config) (*App, error) {
	tuneGC()
	m := metrics.New()
	cfg.Store = m.CountStoreErrors(cfg.Store)
	var opts []blob.Option
	if cfg.Now != nil {
		opts = append(opts, blob.WithClock(cfg.Now))
	}
	if cfg.SharedBlobs {
		opts = append(opts, blob.Shared())
	}
	blobs, err := blob.Open(cfg.BlobDir, opts...)
	if err != nil {
		return nil, fmt.Errorf("object store: %w", err)
	}
	log := cfg.Log
	if log == nil {
		log = slog.Default()
	}
	for _, w := range cfg.Worlds {
		if err := world.Load(ctx, cfg.Store, w, world.WithObjects(objectWriter{blobs}), world.WithLog(log)); err != nil {
			return nil, err
		}
	}
	if err := world.LoadOrganization(ctx, cfg.Store, cfg.Worlds, log); err != nil {
		return nil, err
	}
	now := time.Now
	if cfg.Now != nil {
		now = cfg.Now
	}
	sealer, err := access.LoadSealer(ctx, cfg.Store, now())
	if err != nil {
		return nil, err
	}
	gate := access.NewGate(cfg.Store, sealer, cfg.Now)
	gate.SetCompiledPolicyBudget(cfg.CompiledPolicyBudget)
	go gate.KeepKeysFresh(ctx, func(err error) { cfg.Log.Warn("session token keys", "err", err) })
	logSize := cfg.DecisionLogSize
	if logSize == 0 {
		logSize = 10_000
	}
	decisions := audit.NewLog(logSize, cfg.Now).WithStore(cfg.Store).SetRecording(cfg.Record)
	gate.SetRecorder(recorders{decisions, m})
	stsService := sts.New(cfg.Store, gate, cfg.Log)
	if ra := newRootAccess(gate, cfg.Worlds); ra != nil {
		stsService.SetRootAccess(ra)
	}
	bases := cfg.VirtualHostBases
	if bases == nil {
		bases = []string{"s3.localhost", "localhost"}
	}
	s3Service := s3.New(cfg.Store, blobs, gate, cfg.Log)
	s3Service.OnBlobError(m.BlobError)
	web, err := console.New(ctx, console.Config{Store: cfg.Store, Seal: func(s *creds.Session) (string, error) { return gate.Sealer().Seal(s) },
		Decisions: decisions, Gate: gate, Now: cfg.Now, Log: log})
	if err != nil {
		return nil, err
	}
	h := server.New(server.Config{
		Gate:     gate,
		Verifier: sigv4.NewVerifier(cfg.Now),
		Log:      cfg.Log,
		Query: map[string]server.QueryEndpoint{
			"sts": {Service: stsService, Namespace: sts.Namespace},
			"iam": {Service: iam.New(cfg.Store, gate, cfg.Log), Namespace: iam.Namespace},
		},
		JSON: map[string]server.JSONEndpoint{
			organizations.TargetPrefix: {Service: organizations.New(cfg.Store, gate, cfg.Log), SigningName: organizations.SigningName},
		},
		S3:               s3Service,
		VirtualHostBases: bases,
		TrustedProxies:   cfg.TrustedProxies,
		Now:              cfg.Now,
		Decisions:        decisions,
		EncodeAuthorizationMessage: func(x *audit.Explanation) (string, error) {
			return authmsg.Encode(gate.Sealer(), x)
		},
		IMDS:    newIMDS(cfg, stsService, m),
		Console: web,
		Tokens:  stsService.Issuers(),
	})
	limited := newLimits(h, orDefault(cfg.BodyReadTimeout, DefaultBodyReadTimeout), orDefault(cfg.MaxUploads, DefaultMaxUploads))
	counted := &activity{next: limited}
	a := &App{Handler: m.Front(counted, cfg.MetricsOnOwnAddr),
		Blobs: blobs, STS: stsService, Decisions: decisions, S3: s3Service, Metrics: m}
	web.Attach(a.Handler)
	background, stop := context.WithCancel(context.WithoutCancel(ctx))
	a.stop = stop
	go returnMemoryWhenIdle(background, counted)
	a.persist(background, cfg)
	go sweepLifecycle(background, s3Service, now, log)
	return a, nil
}

// orDefault is v, or def when v is zero.
func orDefault[T int | time.Duration](v, def T) T {
	if v == 0 {
		return def
	}
	return v
}

// lifecycleSweepInterval is how often bucket lifecycle rules are applied.
// S3 applies them about once a day; expiry times are whole days rounded to
// midnight UTC, so a few minutes late is within what S3 promises.
const lifecycleSweepInterval = 5 * time.Minute

// sweepLifecycle applies the buckets' lifecycle rules until ctx ends.
func sweepLifecycle(ctx context.Context, svc *s3.Service, now func() time.Time, log *slog.Logger) {
	tick := time.NewTicker(lifecycleSweepInterval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if err := svc.SweepLifecycle(ctx, now()); err != nil && ctx.Err() == nil {
				log.Warn("lifecycle", "err", err)
			}
		}
	}
}

// persist starts writing the decision log to the store until ctx ends
// (Close).
func (a *App) persist(ctx context.Context, cfg Config) {
	retention := cfg.DecisionRetention
	switch {
	case retention == 0:
		retention = defaultDecisionRetention
	case retention < 0:
		retention = 0 // forever
	}
	log := cfg.Log
	if log == nil {
		log = slog.Default()
	}
	onErr := func(err error) { log.Warn("decision log", "err", err) }
	a.persisted = make(chan struct{})
	go func() {
		defer close(a.persisted)
		a.Decisions.Persist(ctx, cfg.Store, 0, retention, onErr)
	}()
}

// newIMDS serves the worlds' instances with credentials of their
// instance profiles' roles, minted by STS.
func newIMDS(cfg Config, stsService *sts.Service, m *metrics.Metrics) http.Handler {
	var instances []imds.Instance
	for _, w := range cfg.Worlds {
		for _, i := range w.Instances {
			instances = append(instances, imds.Instance{ID: i.ID, Account: i.Account, InstanceProfile: i.InstanceProfile, Region: i.Region})
		}
	}
	return imds.New(imds.Config{
		Instances: instances, AllowV1: cfg.IMDSv1, Now: cfg.Now, ContainerToken: cfg.ContainerToken, Log: cfg.Log,
		Source: func(ctx context.Context, i imds.Instance) (imds.Credentials, error) {
			c, err := stsService.MintInstanceCredentials(ctx, i.Account, i.InstanceProfile, i.ID)
			if err == nil {
				m.SessionTokenIssued("InstanceMetadata")
			}
			return imds.Credentials{RoleName: c.RoleName, AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey,
				Token: c.SessionToken, Expiration: c.Expiration, LastUpdated: c.LastUpdated}, err
		},
	})
}

// objectWriter lets world files seed objects.
type objectWriter struct{ blobs *blob.Store }

func (o objectWriter) EnsureBucket(bucket string) error { return o.blobs.CreateBucketDir(bucket) }

func (o objectWriter) PutIfAbsent(bucket, key string, data []byte) error {
	_, err := o.blobs.Head(bucket, key)
	if err == nil || !errors.Is(err, blob.ErrNoSuchKey) {
		return err
	}
	_, err = o.blobs.Put(bucket, key, bytes.NewReader(data), blob.Meta{ContentType: "text/plain"}, nil)
	return err
}

// recorders logs a decision in the decision log and counts it.
type recorders struct {
	log     *audit.Log
	metrics *metrics.Metrics
}

func (r recorders) Record(requestID string, req *authz.Request, d authz.Decision) {
	r.log.Record(requestID, req, &d)
	r.metrics.Decision(&d)
}
