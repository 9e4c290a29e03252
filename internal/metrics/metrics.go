// Package metrics measures a running Sekisho server for Prometheus:
// requests by service, operation and status with their latency, decisions
// by effect and reason, store and object-store errors, open connections
// and session tokens issued. Every server has its own registry (no global
// state), served in the Prometheus text format by Handler.
package metrics

import (
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/sekisho/sekisho/internal/authz"
)

// Path is where the metrics are served (off the signed path, like the
// health check).
const Path = "/metrics"

// maxOperations bounds the operation label values kept per service: the
// Query protocol's Action is chosen by the client, so an unbounded label
// would let anyone grow the registry. Beyond it, operations count as "other".
const maxOperations = 512

// Metrics are one server's instruments and the registry that holds them.
type Metrics struct {
	registry      *prometheus.Registry
	requests      *prometheus.CounterVec
	latency       *prometheus.HistogramVec
	decisions     *prometheus.CounterVec
	storeErrors   *prometheus.CounterVec
	blobErrors    *prometheus.CounterVec
	openConns     prometheus.Gauge
	sessionTokens *prometheus.CounterVec

	mu         sync.RWMutex
	operations map[string]map[string]bool        // service → operations seen
	series     sync.Map                          // seriesKey → *series
	decided    atomic.Pointer[[]decisionCounter] // copied on write, under mu
}

// New builds the instruments in a registry of their own, with the Go
// runtime's and the process's collectors beside them.
func New() *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sekisho_requests_total", Help: "Requests answered, by service, operation and HTTP status.",
		}, []string{"service", "operation", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "sekisho_request_duration_seconds", Help: "Time from the request's arrival to the end of its response, by service and operation.",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 10},
		}, []string{"service", "operation"}),
		decisions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sekisho_decisions_total", Help: "Authorization decisions, by effect (Allow, ImplicitDeny, ExplicitDeny) and reason.",
		}, []string{"effect", "reason"}),
		storeErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sekisho_store_errors_total", Help: "Store transactions that failed for a reason of the store's own (unavailable, disk full, I/O), by kind.",
		}, []string{"kind"}),
		blobErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sekisho_blob_errors_total", Help: "Object-store operations that failed for a reason of the disk's own (I/O, no space), by kind.",
		}, []string{"kind"}),
		openConns: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "sekisho_open_connections", Help: "Client connections open now.",
		}),
		sessionTokens: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sekisho_session_tokens_issued_total", Help: "Temporary credentials (session tokens) issued, by the operation that issued them.",
		}, []string{"operation"}),
		operations: map[string]map[string]bool{},
	}
	m.registry.MustRegister(m.requests, m.latency, m.decisions, m.storeErrors, m.blobErrors, m.openConns, m.sessionTokens,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Registry is the registry the instruments live in.
func (m *Metrics) Registry() *prometheus.Registry { return m.registry }

// Handler serves the metrics in the Prometheus text (or, when asked,
// OpenMetrics) format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{Registry: m.registry})
}

// Decision counts one authorization decision.
func (m *Metrics) Decision(d *authz.Decision) {
	if list := m.decided.Load(); list != nil {
		for _, c := range *list {
			if c.effect == d.Effect && c.reason == d.Reason {
				c.counter.Inc()
				return
			}
		}
	}
	m.decisionCounter(d.Effect, d.Reason).Inc()
}

// decisionCounter is one effect and reason's counter. The engine draws
// reasons from a fixed set of a dozen, so the list scanned above stays
// short, and client_golang's label lookup (hashing, a lock) is paid once
// per pair.
type decisionCounter struct {
	effect  authz.Effect
	reason  string
	counter prometheus.Counter
}

// decisionCounter looks the counter up by its labels and adds it to the
// list.
func (m *Metrics) decisionCounter(effect authz.Effect, reason string) prometheus.Counter {
	label := reason
	if label == "" {
		label = "none"
	}
	c := m.decisions.WithLabelValues(effectLabel(effect), label)
	m.mu.Lock()
	defer m.mu.Unlock()
	var list []decisionCounter
	if old := m.decided.Load(); old != nil {
		list = append(list, *old...)
	}
	list = append(list, decisionCounter{effect, reason, c})
	m.decided.Store(&list)
	return c
}

// effectLabel names an effect as the policy language does.
func effectLabel(e authz.Effect) string {
	switch e {
	case authz.Allowed:
		return "Allow"
	case authz.ExplicitDeny:
		return "ExplicitDeny"
	}
	return "ImplicitDeny"
}

// SessionTokenIssued counts temporary credentials issued by operation
// (AssumeRole, GetSessionToken, instance metadata, ...).
func (m *Metrics) SessionTokenIssued(operation string) {
	m.sessionTokens.WithLabelValues(operation).Inc()
}

// ConnState follows http.Server's connections (its ConnState hook) to
// keep the open-connection gauge.
func (m *Metrics) ConnState(_ any, state http.ConnState) {
	switch state {
	case http.StateNew:
		m.openConns.Inc()
	case http.StateClosed, http.StateHijacked:
		m.openConns.Dec()
	}
}

// SetOperation names the service and operation of the request w
// answers; the front door calls it once it knows them. Requests it never
// names count as service "unknown". w may be wrapped by other handlers
// that expose Unwrap, as http.ResponseController expects.
func SetOperation(w http.ResponseWriter, service, operation string) {
	for {
		switch x := w.(type) {
		case *statusWriter:
			x.service, x.operation = service, operation
			return
		case interface{ Unwrap() http.ResponseWriter }:
			w = x.Unwrap()
		default:
			return
		}
	}
}

// Instrument counts and times every request next serves; the metrics
// path itself is answered by Handler elsewhere and not counted.
func (m *Metrics) Instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		m.observe(sw.service, sw.operation, sw.statusCode(), time.Since(start))
	})
}

// seriesKey names the series one request counts in.
type seriesKey struct {
	service, operation string
	status             int
}

// series are one key's instruments, looked up once: client_golang's
// label lookup (hashing, a lock) is most of the cost per request.
type series struct {
	requests prometheus.Counter
	latency  prometheus.Observer
	tokens   prometheus.Counter // nil unless the operation issues session tokens
}

func (m *Metrics) observe(service, operation string, status int, took time.Duration) {
	if service == "" {
		service = "unknown"
	}
	if operation == "" {
		operation = "unknown"
	}
	key := seriesKey{service, operation, status}
	var s *series
	if v, ok := m.series.Load(key); ok {
		s = v.(*series)
	} else {
		s = m.newSeries(key)
	}
	s.requests.Inc()
	s.latency.Observe(took.Seconds())
	if s.tokens != nil {
		s.tokens.Inc()
	}
}

// newSeries makes the instruments of key, remembered unless the
// operation label is past the bound (then they are those of "other").
func (m *Metrics) newSeries(key seriesKey) *series {
	operation := m.boundedOperation(key.service, key.operation)
	s := &series{requests: m.requests.WithLabelValues(key.service, operation, strconv.Itoa(key.status)),
		latency: m.latency.WithLabelValues(key.service, operation)}
	if key.status == http.StatusOK && issuesSessionToken(key.service, operation) {
		s.tokens = m.sessionTokens.WithLabelValues(operation)
	}
	if operation == key.operation {
		m.series.Store(key, s)
	}
	return s
}

// boundedOperation is operation, or "other" once the service has
// maxOperations distinct operations.
func (m *Metrics) boundedOperation(service, operation string) string {
	m.mu.RLock()
	known, full := m.operations[service][operation], len(m.operations[service]) >= maxOperations
	m.mu.RUnlock()
	switch {
	case known:
		return operation
	case full:
		return "other"
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	seen := m.operations[service]
	if seen == nil {
		seen = map[string]bool{}
		m.operations[service] = seen
	}
	if !seen[operation] && len(seen) >= maxOperations {
		return "other"
	}
	seen[operation] = true
	return operation
}

// issuesSessionToken reports whether a successful call of the operation
// returns temporary credentials with a session token.
func issuesSessionToken(service, operation string) bool {
	if service != "sts" {
		return false
	}
	switch operation {
	case "AssumeRole", "AssumeRoleWithWebIdentity", "AssumeRoleWithSAML", "GetSessionToken", "GetFederationToken", "AssumeRoot":
		return true
	}
	return false
}

// statusWriter remembers the status a handler answered with, and the
// service and operation the front door named.
type statusWriter struct {
	http.ResponseWriter
	status             int
	service, operation string
}

func (w *statusWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController (and the sendfile path of
// io.Copy through it) reach the connection.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Flush passes streaming responses on.
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *statusWriter) statusCode() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}

// ReadFrom keeps the connection's sendfile path for object bodies.
func (w *statusWriter) ReadFrom(r io.Reader) (int64, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if rf, ok := w.ResponseWriter.(io.ReaderFrom); ok {
		return rf.ReadFrom(r)
	}
	return io.Copy(w.ResponseWriter, r)
}
