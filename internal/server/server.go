// Package server is Sekisho's HTTP front door: one port for every service.
// It authenticates each request with SigV4 (or, for S3, SigV2), holds S3
// requests to their bucket's signing region, picks the service from the
// credential scope, builds the request's condition context, and hands the
// call to the service, writing AWS's response or error shape.
package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/sekisho/sekisho/internal/access"
	"github.com/sekisho/sekisho/internal/audit"
	"github.com/sekisho/sekisho/internal/awsproto"
	"github.com/sekisho/sekisho/internal/console"
	"github.com/sekisho/sekisho/internal/metrics"
	"github.com/sekisho/sekisho/internal/policy"
	"github.com/sekisho/sekisho/internal/s3"
	"github.com/sekisho/sekisho/internal/sigv4"
	"github.com/sekisho/sekisho/internal/store"
)

// QueryService is a Query-protocol service (IAM, STS).
type QueryService interface {
	Handle(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error)
}

// Config holds what the front door needs.
type Config struct {
	Gate     *access.Gate
	Verifier *sigv4.Verifier
	Log      *slog.Logger
	// Query services by SigV4 service name, with their XML namespaces.
	Query map[string]QueryEndpoint
	// JSON services by X-Amz-Target prefix (AWSOrganizationsV20161128).
	JSON map[string]JSONEndpoint
	// TrustedProxies may set X-Forwarded-For; everyone else's aws:SourceIp
	// is the TCP peer.
	TrustedProxies []netip.Prefix
	Now            func() time.Time
	// S3 serves REST requests; VirtualHostBases are the host names under
	// which bucket.<base> addresses a bucket (e.g. "localhost").
	S3               S3Service
	VirtualHostBases []string
	// Decisions is the decision log served at DecisionsPath.
	Decisions *audit.Log
	// EncodeAuthorizationMessage, if set, seals a denial into the encoded
	// authorization message a service that sends them would return.
	EncodeAuthorizationMessage func(*audit.Explanation) (string, error)
	// IMDS serves the instance metadata and container credential
	// endpoints (/latest/..., /_sekisho/imds/..., /_sekisho/container-credentials/...).
	IMDS http.Handler
	// Console serves the web console's unsigned browser requests
	// (console.IsConsoleRequest); nil serves none.
	Console http.Handler
	// Tokens issues the built-in identity providers' tokens at TokenPath.
	Tokens TokenIssuer
}

// S3Service serves S3 REST requests.
type S3Service interface {
	Serve(w http.ResponseWriter, req *s3.Request)
	// ServeControl answers an S3 Control API request (/v20180820/...).
	ServeControl(w http.ResponseWriter, req *s3.Request)
}

// QueryEndpoint is a Query service and its XML namespace.
type QueryEndpoint struct {
	Service   QueryService
	Namespace string
	// Name is the SigV4 service name the endpoint was found under (set by
	// the front door, for logs).
	Name string
}

// Server routes requests to services.
type Server struct {
	cfg    Config
	clock  atomic.Pointer[clockStrings]
	lastIP atomic.Pointer[formattedIP]
}

// New returns the HTTP handler.
func New(cfg Config) *Server {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Server{cfg: cfg}
}

// HealthPath answers readiness probes.
const HealthPath = "/_sekisho/health"

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == HealthPath:
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, "ok\n")
		return
	case strings.HasPrefix(r.URL.Path, DecisionsPath):
		s.serveDecisions(w, r)
		return
	case s.cfg.Console != nil && console.IsConsoleRequest(r):
		s.cfg.Console.ServeHTTP(w, r)
		return
	case r.URL.Path == TokenPath:
		s.serveToken(w, r)
		return
	case s.cfg.IMDS != nil && isMetadataRequest(r):
		s.cfg.IMDS.ServeHTTP(w, r)
		return
	}
	requestID := awsproto.NewRequestID()
	defer func() {
		if v := recover(); v != nil {
			s.cfg.Log.Error("panic serving request", "request_id", requestID, "panic", v)
			awsproto.WriteQueryError(w, "", requestID, awsproto.InternalError())
		}
	}()
	auth, authErr := s.cfg.Verifier.Parse(r)
	if isJSONRequest(r) {
		s.serveJSON(w, r, requestID, auth, authErr)
		return
	}
	if s.cfg.S3 != nil && !isQueryRequest(r, auth) {
		s.serveS3(w, r, requestID, auth, authErr)
		return
	}
	s.serveQuery(w, r, requestID, auth, authErr)
}

// serveQuery handles IAM and STS: POST / with a form body (or GET / with
// the parameters in the URL).
func (s *Server) serveQuery(w http.ResponseWriter, r *http.Request, requestID string, auth *sigv4.Auth, authErr error) {
	endpoint, _ := s.endpointFor(auth)
	fail := func(e *awsproto.Error) { awsproto.WriteQueryError(w, endpoint.Namespace, requestID, e) }
	body, e := readBody(r)
	if e != nil {
		fail(e)
		return
	}
	params, e := awsproto.ParseQuery(r, body)
	if e != nil {
		fail(e)
		return
	}
	endpoint, caller, region, e := s.queryCaller(r, auth, authErr, params.Action(), body)
	metrics.SetOperation(w, endpoint.Name, params.Action())
	if e != nil {
		fail(e)
		return
	}
	call := &awsproto.Call{Action: params.Action(), Params: params, Caller: caller, RequestID: requestID,
		Region: region, Context: s.requestContext(r, &sigv4.Auth{Region: region}, 0)}
	if call.Action == "" {
		fail(awsproto.Errorf(http.StatusBadRequest, "MissingAction", "Missing Action"))
		return
	}
	result, e := endpoint.Service.Handle(r.Context(), call)
	if e != nil {
		s.cfg.Log.Info("request failed", "request_id", requestID, "service", endpoint.Name, "action", call.Action,
			"principal", principalARN(caller), "code", e.Code, "status", e.Status)
		fail(e)
		return
	}
	if s.cfg.Log.Enabled(r.Context(), slog.LevelDebug) { // boxing the arguments allocates even when not logged
		s.cfg.Log.Debug("request", "request_id", requestID, "service", endpoint.Name, "action", call.Action, "principal", principalARN(caller))
	}
	awsproto.WriteXML(w, call.Action, endpoint.Namespace, requestID, result)
}

// queryCaller picks the endpoint and authenticates the caller of a Query
// call. An operation of the unsigned table sent without any
// authentication goes to its service with no caller; everything else
// must carry a valid signature.
func (s *Server) queryCaller(r *http.Request, auth *sigv4.Auth, authErr error, action string, body []byte) (QueryEndpoint, *access.Caller, string, *awsproto.Error) {
	endpoint, ok := s.endpointFor(auth)
	if authErr != nil {
		service := unsignedQueryService(action)
		unsigned, found := s.cfg.Query[service]
		if !servesUnsigned(authErr, action) || !found {
			return endpoint, nil, "", queryAuthError(authErr)
		}
		unsigned.Name = service
		return unsigned, nil, unsignedRegion, nil
	}
	if !ok {
		return endpoint, nil, "", awsproto.Errorf(http.StatusBadRequest, "InvalidAction", "Sekisho does not serve the %q service on this endpoint", auth.Service)
	}
	caller, e := s.authenticate(r, auth, body)
	if e != nil {
		return endpoint, nil, "", e
	}
	return endpoint, caller, auth.Region, nil
}

// principalARN names the caller in logs; unsigned calls have none.
func principalARN(c *access.Caller) string {
	if c == nil {
		return "(unsigned)"
	}
	return c.Principal.ARN
}

func (s *Server) endpointFor(auth *sigv4.Auth) (QueryEndpoint, bool) {
	if auth == nil {
		return QueryEndpoint{Namespace: "https://sts.amazonaws.com/doc/2011-06-15/"}, false
	}
	ep, ok := s.cfg.Query[auth.Service]
	ep.Name = auth.Service
	if !ok {
		ep.Namespace = "https://sts.amazonaws.com/doc/2011-06-15/"
	}
	return ep, ok
}

func readBody(r *http.Request) ([]byte, *awsproto.Error) {
	if r.Body == nil {
		return nil, nil
	}
	body, err := readAtMost(r.Body, r.ContentLength, awsproto.MaxQueryBody+1)
	if err != nil {
		return nil, awsproto.Errorf(http.StatusBadRequest, "IncompleteBody", "The request body could not be read")
	}
	if len(body) > awsproto.MaxQueryBody {
		return nil, awsproto.Errorf(http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "Request body must be at most %d bytes", awsproto.MaxQueryBody)
	}
	return body, nil
}

// readAtMost is io.ReadAll(io.LimitReader(body, limit)) with the buffer
// sized from the declared length: a form of known length is read into one
// allocation, usually by one Read that also reports the end.
func readAtMost(body io.Reader, declared, limit int64) ([]byte, error) {
	size := int64(512)
	if declared >= 0 && declared < limit {
		size = declared + 1 // room to see the end without growing
	}
	b := make([]byte, 0, size)
	for int64(len(b)) < limit {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		room := b[len(b):cap(b)]
		if left := limit - int64(len(b)); int64(len(room)) > left {
			room = room[:left]
		}
		n, err := body.Read(room)
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
	return b, nil
}

// authenticate resolves the key and verifies the signature (and the
// signing time). An expired session token is reported before the clock
// check, as it is the more useful answer.
func (s *Server) authenticate(r *http.Request, auth *sigv4.Auth, body []byte) (*access.Caller, *awsproto.Error) {
	caller, secret, err := s.cfg.Gate.Resolve(r.Context(), auth.AccessKeyID, auth.SessionToken)
	if err != nil {
		return nil, s.credentialError(err)
	}
	sum := sha256.Sum256(body)
	var text [2 * sha256.Size]byte // one allocation (the string), where EncodeToString makes two
	hex.Encode(text[:], sum[:])
	if err := s.cfg.Verifier.Verify(r, auth, secret, string(text[:])); err != nil {
		return nil, queryAuthError(err)
	}
	return caller, nil
}

func (s *Server) credentialError(err error) *awsproto.Error {
	switch {
	case errors.Is(err, access.ErrExpiredToken):
		return awsproto.Errorf(http.StatusForbidden, "ExpiredToken", "The security token included in the request is expired")
	case errors.Is(err, access.ErrUnknownKey), errors.Is(err, access.ErrInactiveKey),
		errors.Is(err, access.ErrInvalidToken), errors.Is(err, access.ErrMissingToken):
		return awsproto.Errorf(http.StatusForbidden, "InvalidClientTokenId", "The security token included in the request is invalid.")
	}
	if errors.Is(err, store.ErrUnavailable) {
		return awsproto.ServiceUnavailable()
	}
	s.cfg.Log.Error("credential lookup failed", "err", err)
	return awsproto.InternalError()
}

// queryAuthError maps a SigV4 failure to the Query protocol's error.
func queryAuthError(err error) *awsproto.Error {
	var se *sigv4.Error
	if !errors.As(err, &se) {
		return awsproto.Errorf(http.StatusForbidden, "IncompleteSignature", "The request signature is malformed.")
	}
	switch se.Kind {
	case sigv4.KindMissingAuth:
		return awsproto.Errorf(http.StatusForbidden, "MissingAuthenticationToken", "Request is missing Authentication Token")
	case sigv4.KindSignatureMismatch, sigv4.KindSkew, sigv4.KindPresignExpired, sigv4.KindPresignNotYetValid, sigv4.KindContentSHA256Mismatch:
		return awsproto.Errorf(http.StatusForbidden, "SignatureDoesNotMatch", "%s", se.Message)
	case sigv4.KindHeadersNotSigned:
		// IAM and STS have no HeadersNotSigned element: the list goes
		// into the message.
		return awsproto.Errorf(http.StatusForbidden, "AccessDenied", "%s: %s", se.Message, se.HeadersNotSigned)
	case sigv4.KindBadChunk, sigv4.KindIncompleteBody:
		return awsproto.Errorf(http.StatusBadRequest, "InvalidRequest", "%s", se.Message)
	}
	return awsproto.Errorf(http.StatusBadRequest, "IncompleteSignature", "%s", se.Message)
}

// s3ContextKeys is the room an S3 request's context has: the request's
// keys and the signature's (setSignatureKeys). The S3 service adds the
// bucket's, the caller's and the organization's to a clone, which makes
// its own room for them.
const s3ContextKeys = requestContextKeys + 3

// requestContextKeys is the number of keys requestContext sets at most.
const requestContextKeys = 7

// requestContext builds the condition keys every request carries.
// The keys are given lower-cased (as Context stores them) and the values
// share one backing array, so building the context costs two allocations
// rather than two per key.
// size is the room to make for keys (0: room for these alone; the query
// services clone the context before they add to it).
func (s *Server) requestContext(r *http.Request, auth *sigv4.Auth, size int) *policy.Context {
	clock := s.clockStrings()
	values := make([]string, 0, requestContextKeys)
	ctx := policy.NewContextSize(max(size, requestContextKeys))
	set := func(key, value string) {
		values = append(values, value)
		ctx.Set(key, values[len(values)-1:len(values):len(values)]...)
	}
	set("aws:currenttime", clock.current)
	set("aws:epochtime", clock.epoch)
	set("aws:securetransport", strconv.FormatBool(r.TLS != nil))
	set("aws:requestedregion", auth.Region)
	set("aws:viaawsservice", "false")
	if ua := r.UserAgent(); ua != "" {
		set("aws:useragent", ua)
	}
	if ip, ok := s.sourceIP(r); ok {
		set("aws:sourceip", s.ipString(ip))
	}
	return ctx
}

// clockStrings are aws:CurrentTime and aws:EpochTime of one second.
type clockStrings struct {
	unix           int64
	current, epoch string
}

// clockStrings formats the clock's second, reusing the strings of the
// last request made in the same second.
func (s *Server) clockStrings() *clockStrings {
	now := s.cfg.Now().UTC()
	if c := s.clock.Load(); c != nil && c.unix == now.Unix() {
		return c
	}
	c := &clockStrings{unix: now.Unix(), current: now.Format(time.RFC3339), epoch: strconv.FormatInt(now.Unix(), 10)}
	s.clock.Store(c)
	return c
}

// formattedIP is an address and its text.
type formattedIP struct {
	addr netip.Addr
	text string
}

// ipString is ip.String(), reusing the text of the last source address
// (an emulator's clients are mostly one host).
func (s *Server) ipString(ip netip.Addr) string {
	if last := s.lastIP.Load(); last != nil && last.addr == ip {
		return last.text
	}
	f := &formattedIP{addr: ip, text: ip.String()}
	s.lastIP.Store(f)
	return f.text
}

// sourceIP is the TCP peer, or the last X-Forwarded-For hop added by a
// trusted proxy.
func (s *Server) sourceIP(r *http.Request) (netip.Addr, bool) {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}, false
	}
	peer = peer.Unmap()
	if !s.trusted(peer) {
		return peer, true
	}
	hops := strings.Split(r.Header.Get("X-Forwarded-For"), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		addr, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		if !s.trusted(addr.Unmap()) {
			return addr.Unmap(), true
		}
		peer = addr.Unmap()
	}
	return peer, true
}

func (s *Server) trusted(a netip.Addr) bool {
	for _, p := range s.cfg.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// isMetadataRequest recognizes the unsigned metadata and container
// credential calls; a signed request (SigV4 or SigV2, header or presigned)
// for a bucket named "latest" still goes to S3.
func isMetadataRequest(r *http.Request) bool {
	p := r.URL.Path
	if strings.HasPrefix(p, "/_sekisho/imds/") || strings.HasPrefix(p, "/_sekisho/container-credentials/") {
		return true
	}
	if p != "/latest" && !strings.HasPrefix(p, "/latest/") {
		return false
	}
	q := r.URL.Query()
	return r.Header.Get("Authorization") == "" && q.Get("X-Amz-Signature") == "" && q.Get("Signature") == ""
}
