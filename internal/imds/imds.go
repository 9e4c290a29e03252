// Package imds serves the EC2 instance metadata service (IMDSv1 and v2) and
// the ECS/EKS container-credentials endpoint, so that the AWS CLI and SDKs
// running outside EC2 pick up an instance profile role's credentials.
package imds

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"
)

// Route prefixes the handler answers under.
const (
	// InstancePrefix selects an instance by ID:
	// /_sekisho/imds/<instance-id>/latest/...
	InstancePrefix = "/_sekisho/imds/"
	// ContainerPrefix serves container credentials:
	// /_sekisho/container-credentials/<instance-id>
	ContainerPrefix = "/_sekisho/container-credentials/"
	// LatestPrefix serves the first configured instance, or the one named
	// by the InstanceQuery parameter.
	LatestPrefix = "/latest"
	// InstanceQuery is the query parameter that selects an instance under
	// LatestPrefix, for clients (aws-sdk-go-v2) that drop an endpoint's
	// path but keep its query: http://host:port/?instance=i-abc012.
	InstanceQuery = "instance"
)

// CredentialSource mints credentials for an instance's profile role.
type CredentialSource func(ctx context.Context, inst Instance) (Credentials, error)

// Instance is an EC2 instance whose metadata the service serves.
type Instance struct {
	ID              string
	Account         string
	InstanceProfile string // profile name; "" means no role attached
	Region          string
	// AvailabilityZone defaults to Region + "a".
	AvailabilityZone string
	// InstanceProfileARN defaults to arn:aws:iam::<Account>:instance-profile/<InstanceProfile>.
	InstanceProfileARN string
	// InstanceProfileID defaults to a stable AIPA... ID derived from the ARN.
	InstanceProfileID string
}

// Credentials are temporary credentials of an instance profile's role.
type Credentials struct {
	RoleName        string
	RoleARN         string // optional; sent as RoleArn by the container endpoint
	AccessKeyID     string
	SecretAccessKey string
	Token           string
	Expiration      time.Time
	LastUpdated     time.Time
}

// Config configures a Service.
type Config struct {
	// Instances are served in order; the first answers under LatestPrefix.
	// Instances without an ID, and repeats of an ID, are ignored.
	Instances []Instance
	// Source mints credentials; nil serves no credentials (404).
	Source CredentialSource
	// AllowV1 lets GETs without a session token through (IMDSv1). Invalid
	// or expired tokens are rejected either way.
	AllowV1 bool
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// ContainerToken is the Authorization header value the container
	// endpoint requires; "" requires none.
	ContainerToken string
	// Log receives one line per credential failure; nil discards.
	Log *slog.Logger
}

// Service is the metadata and container-credentials http.Handler.
type Service struct {
	cfg       Config
	first     *instanceState
	instances map[string]*instanceState
	tokens    *tokenSigner
	started   time.Time
}

// instanceState is one instance and its credential cache.
type instanceState struct {
	inst  Instance
	cache credCache
}

// New returns a Service for cfg. It panics only if the system random
// source fails.
func New(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s := &Service{cfg: cfg, instances: make(map[string]*instanceState, len(cfg.Instances)),
		tokens: newTokenSigner(), started: cfg.Now().UTC().Truncate(time.Second)}
	for _, inst := range cfg.Instances {
		if _, dup := s.instances[inst.ID]; dup || inst.ID == "" {
			continue
		}
		st := &instanceState{inst: withDefaults(inst)}
		s.instances[inst.ID] = st
		if s.first == nil {
			s.first = st
		}
	}
	return s
}

// withDefaults fills the optional fields of inst.
func withDefaults(inst Instance) Instance {
	if inst.AvailabilityZone == "" && inst.Region != "" {
		inst.AvailabilityZone = inst.Region + "a"
	}
	if inst.InstanceProfile == "" {
		return inst
	}
	if inst.InstanceProfileARN == "" {
		inst.InstanceProfileARN = "arn:aws:iam::" + inst.Account + ":instance-profile/" + inst.InstanceProfile
	}
	if inst.InstanceProfileID == "" {
		inst.InstanceProfileID = derivedProfileID(inst.InstanceProfileARN)
	}
	return inst
}

// ServeHTTP routes to the container endpoint or an instance's metadata.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case strings.HasPrefix(p, ContainerPrefix):
		s.serveContainer(w, r, strings.TrimPrefix(p, ContainerPrefix))
	case strings.HasPrefix(p, InstancePrefix):
		st, rest := s.splitInstancePath(strings.TrimPrefix(p, InstancePrefix))
		s.serveInstance(w, r, st, rest)
	case p == LatestPrefix || strings.HasPrefix(p, LatestPrefix+"/"):
		s.serveInstance(w, r, s.defaultInstance(r), p)
	default:
		notFound(w)
	}
}

// splitInstancePath splits "<id>/latest/..." into the instance and
// "/latest/...". botocore appends "latest/..." to the endpoint verbatim, so
// an endpoint without its trailing slash yields "<id>latest/..."; that is
// accepted too (instance IDs never end in "latest").
func (s *Service) splitInstancePath(p string) (*instanceState, string) {
	id, rest, _ := strings.Cut(p, "/")
	if st := s.instances[id]; st != nil {
		return st, "/" + rest
	}
	if base, ok := strings.CutSuffix(id, "latest"); ok {
		return s.instances[base], LatestPrefix + "/" + rest
	}
	return nil, ""
}

// defaultInstance is the instance named by the query, else the first one.
func (s *Service) defaultInstance(r *http.Request) *instanceState {
	if id := r.URL.Query().Get(InstanceQuery); id != "" {
		return s.instances[id]
	}
	return s.first
}

// now is the service clock in UTC.
func (s *Service) now() time.Time { return s.cfg.Now().UTC() }

// notFound writes IMDS's plain 404.
func notFound(w http.ResponseWriter) {
	writeStatus(w, http.StatusNotFound)
}

// writeStatus writes a plain-text status page like IMDS does.
func writeStatus(w http.ResponseWriter, code int) {
	w.Header().Set("Content-Type", "text/plain")
	w.WriteHeader(code)
	_, _ = io.WriteString(w, http.StatusText(code)+"\n")
}

// writeText writes a 200 text/plain body.
func writeText(w http.ResponseWriter, body string) {
	w.Header().Set("Content-Type", "text/plain")
	_, _ = io.WriteString(w, body)
}
