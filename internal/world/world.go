// Package world loads a declarative world file — accounts with their root
// keys, users, groups, roles, managed and inline policies, instance
// profiles and buckets — into the store. A world seeds: each entity it
// declares is created at most once in the life of a store, and never
// changed afterwards, so restarting with the same world keeps every change
// made through the APIs (see Load).
package world

import (
	"context"
	_ "embed"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"log/slog"
	"os"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/sekisho/sekisho/internal/arn"
	"github.com/sekisho/sekisho/internal/policy"
	"github.com/sekisho/sekisho/internal/store"
)

// World is the file's shape.
type World struct {
	Accounts     []Account     `yaml:"accounts"`
	Instances    []Instance    `yaml:"instances"`
	Organization *Organization `yaml:"organization"`
}

// Account is one account and what lives in it.
type Account struct {
	ID               string            `yaml:"id"`
	Alias            string            `yaml:"alias"`
	Root             *RootUser         `yaml:"root"`
	Users            []User            `yaml:"users"`
	Groups           []Group           `yaml:"groups"`
	Roles            []Role            `yaml:"roles"`
	Policies         []ManagedPolicy   `yaml:"policies"`
	InstanceProfiles []InstanceProfile `yaml:"instance_profiles"`
	Buckets          []Bucket          `yaml:"buckets"`
	OIDCProviders    []OIDCProvider    `yaml:"oidc_providers"`
	SAMLProviders    []SAMLProvider    `yaml:"saml_providers"`
}

// Key is an access key pair.
type Key struct {
	AccessKeyID     string `yaml:"access_key_id"`
	SecretAccessKey string `yaml:"secret_access_key"`
}

// RootUser is the account's root user: an access key, and optionally the
// email and password it signs in to the console with (AWS's root sign-in).
type RootUser struct {
	Key      `yaml:",inline"`
	Email    string `yaml:"email"`
	Password string `yaml:"password"`
}

// User is an IAM user.
type User struct {
	Name                string              `yaml:"name"`
	Path                string              `yaml:"path"`
	Tags                map[string]string   `yaml:"tags"`
	AccessKeys          []Key               `yaml:"access_keys"`
	Groups              []string            `yaml:"groups"`
	Policies            []string            `yaml:"policies"` // managed policy names (this account) or ARNs
	InlinePolicies      map[string]Document `yaml:"inline_policies"`
	PermissionsBoundary string              `yaml:"permissions_boundary"`
	Password            string              `yaml:"password"`
	MFADevices          []MFADevice         `yaml:"mfa_devices"`
}

// Group is an IAM group.
type Group struct {
	Name           string              `yaml:"name"`
	Path           string              `yaml:"path"`
	Policies       []string            `yaml:"policies"`
	InlinePolicies map[string]Document `yaml:"inline_policies"`
}

// Role is an IAM role.
type Role struct {
	Name                string              `yaml:"name"`
	Path                string              `yaml:"path"`
	Description         string              `yaml:"description"`
	TrustPolicy         Document            `yaml:"trust_policy"`
	MaxSessionDuration  int                 `yaml:"max_session_duration"`
	PermissionsBoundary string              `yaml:"permissions_boundary"`
	Policies            []string            `yaml:"policies"`
	InlinePolicies      map[string]Document `yaml:"inline_policies"`
	Tags                map[string]string   `yaml:"tags"`
}

// ManagedPolicy is a customer managed policy.
type ManagedPolicy struct {
	Name        string   `yaml:"name"`
	Path        string   `yaml:"path"`
	Description string   `yaml:"description"`
	Document    Document `yaml:"document"`
}

// InstanceProfile holds one role for EC2 instances.
type InstanceProfile struct {
	Name string            `yaml:"name"`
	Path string            `yaml:"path"`
	Role string            `yaml:"role"`
	Tags map[string]string `yaml:"tags"`
}

// Bucket is an S3 bucket.
type Bucket struct {
	Name    string            `yaml:"name"`
	Region  string            `yaml:"region"`
	Policy  Document          `yaml:"policy"`
	Objects map[string]string `yaml:"objects"`
	// PublicAccessBlock is the bucket's Block Public Access. Absent, the
	// bucket has none (as buckets made before April 2023, or with the block
	// lifted), so a world's bucket policy means what it says; S3 gives
	// buckets created through the API all four settings on.
	PublicAccessBlock *PublicAccessBlock `yaml:"public_access_block"`
}

// PublicAccessBlock is a bucket's Block Public Access configuration, stored
// as S3 stores it (the bucket setting "publicAccessBlock").
type PublicAccessBlock struct {
	XMLName               xml.Name `yaml:"-" xml:"PublicAccessBlockConfiguration"`
	BlockPublicAcls       bool     `yaml:"block_public_acls" xml:"BlockPublicAcls"`
	IgnorePublicAcls      bool     `yaml:"ignore_public_acls" xml:"IgnorePublicAcls"`
	BlockPublicPolicy     bool     `yaml:"block_public_policy" xml:"BlockPublicPolicy"`
	RestrictPublicBuckets bool     `yaml:"restrict_public_buckets" xml:"RestrictPublicBuckets"`
}

// Instance is an EC2 instance whose metadata service hands out the
// credentials of its instance profile's role.
type Instance struct {
	ID              string `yaml:"id"`
	Account         string `yaml:"account"`
	InstanceProfile string `yaml:"instance_profile"`
	Region          string `yaml:"region"`
}

// Document is a policy document written either as a JSON string or as a
// YAML mapping.
type Document struct {
	JSON string
}

// UnmarshalYAML accepts a string (JSON text) or a mapping.
func (d *Document) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		d.JSON = strings.TrimSpace(n.Value)
		return nil
	}
	var v any
	if err := n.Decode(&v); err != nil {
		return err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("policy document at line %d: %w", n.Line, err)
	}
	d.JSON = string(b)
	return nil
}

// Parse reads a world file's YAML, refusing unknown fields.
func Parse(data []byte) (*World, error) {
	var w World
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&w); err != nil {
		return nil, fmt.Errorf("world file: %w", err)
	}
	return &w, w.validate()
}

// ReadFile parses the world file at path.
func ReadFile(path string) (*World, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(data)
}

//go:embed demo.yaml
var demoYAML []byte

// Demo returns the built-in world reproducing the seeds' accounts A and B.
func Demo() *World {
	w, err := Parse(demoYAML)
	if err != nil {
		panic(fmt.Sprintf("built-in demo world is invalid: %v", err))
	}
	return w
}

func (w *World) validate() error {
	seen := map[string]bool{}
	for _, a := range w.Accounts {
		if !arn.IsAccountID(a.ID) {
			return fmt.Errorf("world file: account id %q must be 12 digits (quote it in YAML)", a.ID)
		}
		if seen[a.ID] {
			return fmt.Errorf("world file: account %s appears twice", a.ID)
		}
		seen[a.ID] = true
		if err := a.Root.validate(a.ID); err != nil {
			return err
		}
	}
	return w.Organization.validateRCPs()
}

// validate checks a root user: a key needs both halves, and a root with
// neither key nor password says nothing.
func (r *RootUser) validate(account string) error {
	switch {
	case r == nil:
		return nil
	case r.AccessKeyID == "" && r.Password == "":
		return fmt.Errorf("world file: account %s root needs access_key_id or password", account)
	case r.AccessKeyID == "" && r.SecretAccessKey != "":
		return fmt.Errorf("world file: account %s root has secret_access_key without access_key_id", account)
	case r.Email != "" && !strings.Contains(strings.TrimPrefix(r.Email, "@"), "@"):
		return fmt.Errorf("world file: account %s root email %q is not an email address", account, r.Email)
	}
	return nil
}

// validateRCPs rejects customer RCPs that AWS would refuse (an Allow).
func (o *Organization) validateRCPs() error {
	if o == nil {
		return nil
	}
	for _, op := range o.Policies {
		if !strings.EqualFold(op.Type, "rcp") {
			continue
		}
		if _, err := policy.ParseCustomer(op.Document.JSON, policy.RCP); err != nil {
			return fmt.Errorf("world file: organization policy %s: %w", op.Name, err)
		}
	}
	return nil
}

// Option changes how Load works.
type Option func(*loadOptions)

type loadOptions struct {
	log     *slog.Logger
	objects ObjectWriter
}

// WithLog sends Load's warnings (what it skipped, and why) to log.
func WithLog(log *slog.Logger) Option { return func(o *loadOptions) { o.log = log } }

// WithObjects makes Load write the objects the world declares too.
func WithObjects(w ObjectWriter) Option { return func(o *loadOptions) { o.objects = w } }

// Load seeds the store with what the worlds declare. Each declared entity
// is created at most once in the life of the store: the store keeps a
// ledger of what worlds have seeded, and Load skips every entity the
// ledger holds, so a restart never reverts what the APIs did (a
// deactivated key, a boundary, a deleted bucket policy or user). An
// entity that exists without being in the ledger is left as it is.
// Entities are written in one transaction; objects after it commits.
func Load(ctx context.Context, st store.Store, w *World, opts ...Option) error {
	o := loadOptions{log: slog.Default()}
	for _, opt := range opts {
		opt(&o)
	}
	now := time.Now().UTC()
	var pending []pendingObject
	err := st.Update(ctx, func(tx store.Tx) error {
		l, err := newLoader(tx, now, o.log, o.objects)
		if err != nil {
			return err
		}
		if err := seedAWSManaged(tx, now); err != nil {
			return err
		}
		for i := range w.Accounts {
			if err := l.loadAccount(&w.Accounts[i]); err != nil {
				return fmt.Errorf("account %s: %w", w.Accounts[i].ID, err)
			}
		}
		pending = l.pending
		return saveSeeded(tx, l.seeded, len(l.added))
	})
	if err != nil || len(pending) == 0 {
		return err
	}
	return writeObjects(ctx, st, o.objects, pending)
}

// writeObjects stores the pending objects (unless an object is there) and
// then records them, so a crash in between only writes them again.
func writeObjects(ctx context.Context, st store.Store, objects ObjectWriter, pending []pendingObject) error {
	for _, p := range pending {
		if err := objects.PutIfAbsent(p.bucket, p.name, p.data); err != nil {
			return fmt.Errorf("object %s/%s: %w", p.bucket, p.name, err)
		}
	}
	return st.Update(ctx, func(tx store.Tx) error {
		seeded, err := readSeeded(tx)
		if err != nil {
			return err
		}
		for _, p := range pending {
			seeded[p.key] = true
		}
		return saveSeeded(tx, seeded, len(pending))
	})
}

func pathOr(p string) string {
	if p == "" {
		return "/"
	}
	return p
}

func tags(m map[string]string) []store.Tag {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]store.Tag, 0, len(keys))
	for _, k := range keys {
		out = append(out, store.Tag{Key: k, Value: m[k]})
	}
	return out
}

// policyARN resolves a name in account (or an ARN) to a managed policy ARN.
func policyARN(account, ref string) string {
	if strings.HasPrefix(ref, "arn:") {
		return ref
	}
	return "arn:aws:iam::" + account + ":policy/" + ref
}

func checkDocument(doc Document, t policy.Type, what string) error {
	if doc.JSON == "" {
		return fmt.Errorf("%s: missing policy document", what)
	}
	if _, err := policy.Parse(doc.JSON, t); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// ObjectWriter stores the world's objects; the S3 object store implements it.
type ObjectWriter interface {
	// EnsureBucket makes room for the bucket's objects.
	EnsureBucket(bucket string) error
	// PutIfAbsent stores data under bucket/key unless an object is there.
	PutIfAbsent(bucket, key string, data []byte) error
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Organization is an AWS Organizations setup: which accounts are members,
// the OU tree, and the service and resource control policies attached at
// the root, OUs and accounts. Without one, no control policy applies.
type Organization struct {
	ManagementAccount string              `yaml:"management_account"`
	Policies          []OrgPolicy         `yaml:"policies"`
	Units             []OrgUnit           `yaml:"units"`
	Attach            map[string][]string `yaml:"attach"` // "root", an OU name or an account id → policy names
	// CentralizedRootAccess enables IAM's centralized root access:
	// AssumeRoot sessions in member accounts.
	CentralizedRootAccess bool `yaml:"centralized_root_access"`
	// IAMDelegatedAdministrator is the member account delegated to
	// administer IAM (it may call AssumeRoot like the management account).
	IAMDelegatedAdministrator string `yaml:"iam_delegated_administrator"`
}

// OrgPolicy is a service (scp) or resource (rcp) control policy.
type OrgPolicy struct {
	Name     string   `yaml:"name"`
	Type     string   `yaml:"type"` // scp or rcp
	Document Document `yaml:"document"`
}

// OrgUnit is an organizational unit under the root or another unit.
type OrgUnit struct {
	Name     string   `yaml:"name"`
	Parent   string   `yaml:"parent"` // "" for the root
	Accounts []string `yaml:"accounts"`
}
