// Package store defines Sekisho's state: accounts and their IAM entities,
// policies, keys, buckets and server secrets, reached through transactions.
// Implementations live in sub-packages (sqlite, the embedded default; and
// postgres for many replicas) and pass the same conformance suite.
package store

import (
	"context"
	"errors"
	"time"
)

// Errors every implementation returns (wrapped) so services can map them
// to AWS error codes.
var (
	ErrNotFound = errors.New("not found")      // NoSuchEntity / NoSuchBucket
	ErrExists   = errors.New("already exists") // EntityAlreadyExists (names compare case-insensitively)
	ErrConflict = errors.New("conflict")       // DeleteConflict: the entity still has dependents
	ErrLimit    = errors.New("limit exceeded") // LimitExceeded
	// ErrUnavailable means the store cannot be reached right now (a
	// database restart, a lost connection): the request fails with
	// ServiceUnavailable and may be retried; it never passes.
	ErrUnavailable = errors.New("store unavailable")
)

// Limits every implementation enforces, reported as ErrLimit.
const (
	MaxAccessKeys     = 2  // per user; the account root has its own 2
	MaxPolicyVersions = 5  // per managed policy
	MaxGroupsPerUser  = 10 // groups a user may belong to
	MaxAttached       = 20 // managed policies attached to one user, group or role
	MaxProfileRoles   = 1  // roles in one instance profile
	MaxMFADevices     = 8  // MFA devices enabled for one user
)

// PolicyARN is the ARN of the managed policy with this account, path and
// name, the key GetPolicy and attachments use: an empty path counts as "/",
// and account "aws" gives AWS managed policy ARNs (arn:aws:iam::aws:policy/...).
func PolicyARN(account, path, name string) string {
	if path == "" {
		path = "/"
	}
	return "arn:aws:iam::" + account + ":policy" + path + name
}

// Store is the state. All reads and writes happen inside View (read-only)
// or Update (read-write, atomic: fn's error rolls everything back).
type Store interface {
	View(ctx context.Context, fn func(Tx) error) error
	Update(ctx context.Context, fn func(Tx) error) error
	// Generation increases with every committed Update, so callers can
	// cache derived data (compiled policies, principals) and drop it when
	// the state moves on. Updates of the decision log alone are the
	// exception (see Tx): they leave the state, and so Generation, alone.
	Generation(ctx context.Context) (uint64, error)
	Close() error
}

// Read returns what fn reads in one read-only transaction of s.
func Read[T any](ctx context.Context, s Store, fn func(Tx) (T, error)) (T, error) {
	var v T
	err := s.View(ctx, func(tx Tx) error {
		var err error
		v, err = fn(tx)
		return err
	})
	return v, err
}

// Tx is one transaction's view of the state. Names are unique per account
// and compared case-insensitively; lookups by name are case-insensitive
// too, returning the stored spelling. List methods return items sorted by
// name (keys: by creation time, then id).
type Tx interface {
	// Accounts.
	PutAccount(a Account) error // create, or update the alias
	GetAccount(id string) (Account, error)
	ListAccounts() ([]Account, error)

	// Users.
	CreateUser(u User) error
	GetUser(account, name string) (User, error)
	GetUserByID(id string) (User, error)
	ListUsers(account, pathPrefix string) ([]User, error)
	UpdateUser(u User) error // matched by account and ID: rename, path, boundary, tags
	DeleteUser(account, name string) error

	// Access keys (account root keys have an empty UserName).
	CreateAccessKey(k AccessKey) error
	GetAccessKey(id string) (AccessKey, error)
	ListAccessKeys(account, userName string) ([]AccessKey, error)
	UpdateAccessKey(k AccessKey) error // status, last used
	DeleteAccessKey(id string) error

	// Login profiles (console passwords).
	PutLoginProfile(p LoginProfile) error
	GetLoginProfile(account, userName string) (LoginProfile, error)
	DeleteLoginProfile(account, userName string) error

	// Groups and membership.
	CreateGroup(g Group) error
	GetGroup(account, name string) (Group, error)
	ListGroups(account, pathPrefix string) ([]Group, error)
	DeleteGroup(account, name string) error
	AddUserToGroup(account, group, user string) error
	RemoveUserFromGroup(account, group, user string) error
	ListGroupsForUser(account, user string) ([]Group, error)
	ListUsersInGroup(account, group string) ([]User, error)

	// Roles.
	CreateRole(r Role) error
	GetRole(account, name string) (Role, error)
	GetRoleByID(id string) (Role, error)
	ListRoles(account, pathPrefix string) ([]Role, error)
	UpdateRole(r Role) error // matched by account and ID
	DeleteRole(account, name string) error

	// Managed policies and their versions. Account "aws" holds AWS managed policies.
	CreatePolicy(p ManagedPolicy, first PolicyVersion) error
	GetPolicy(arn string) (ManagedPolicy, error)
	ListPolicies(account, pathPrefix string) ([]ManagedPolicy, error)
	UpdatePolicy(p ManagedPolicy) error // default version, update date
	DeletePolicy(arn string) error
	CreatePolicyVersion(v PolicyVersion) error
	GetPolicyVersion(policyARN, versionID string) (PolicyVersion, error)
	ListPolicyVersions(policyARN string) ([]PolicyVersion, error)
	DeletePolicyVersion(policyARN, versionID string) error

	// Inline policies of users, groups and roles.
	PutInlinePolicy(p InlinePolicy) error
	GetInlinePolicy(account string, kind EntityKind, entity, name string) (InlinePolicy, error)
	ListInlinePolicies(account string, kind EntityKind, entity string) ([]InlinePolicy, error)
	DeleteInlinePolicy(account string, kind EntityKind, entity, name string) error

	// Managed policy attachments.
	AttachPolicy(a Attachment) error
	DetachPolicy(a Attachment) error
	ListAttachedPolicies(account string, kind EntityKind, entity string) ([]Attachment, error)
	ListPolicyAttachments(policyARN string) ([]Attachment, error)

	// Instance profiles.
	CreateInstanceProfile(p InstanceProfile) error
	GetInstanceProfile(account, name string) (InstanceProfile, error)
	ListInstanceProfiles(account, pathPrefix string) ([]InstanceProfile, error)
	UpdateInstanceProfile(p InstanceProfile) error // role membership and tags
	DeleteInstanceProfile(account, name string) error

	// Virtual MFA devices, looked up by serial number (the device's ARN,
	// compared case-insensitively). A device is assigned to at most one
	// user; a user holds at most MaxMFADevices.
	CreateMFADevice(d MFADevice) error // ErrExists for a name taken in the account
	GetMFADevice(serial string) (MFADevice, error)
	ListMFADevices(account string) ([]MFADevice, error)               // by serial
	ListUserMFADevices(account, userName string) ([]MFADevice, error) // by serial
	// UpdateMFADevice sets the device's user (assigning it, ErrLimit past
	// MaxMFADevices, ErrNotFound for a missing user; "" unassigns it),
	// enable date and tags. It leaves LastStep alone: see UseMFAStep.
	UpdateMFADevice(d MFADevice) error
	// UseMFAStep records that a code of this time step was accepted, if
	// no code of this step or a later one was before: it returns
	// ErrConflict otherwise. It is atomic across concurrent transactions
	// and replicas, so one code is accepted once.
	UseMFAStep(serial string, step int64) error
	DeleteMFADevice(serial string) error

	// OpenID Connect identity providers, looked up by ARN
	// (arn:aws:iam::ACCOUNT:oidc-provider/HOST/PATH, compared exactly).
	CreateOIDCProvider(p OIDCProvider) error // ErrExists for a taken ARN
	GetOIDCProvider(arn string) (OIDCProvider, error)
	ListOIDCProviders(account string) ([]OIDCProvider, error) // by ARN
	UpdateOIDCProvider(p OIDCProvider) error                  // client ids, thumbprints, keys, tags
	DeleteOIDCProvider(arn string) error

	// Buckets (names are global across accounts).
	CreateBucket(b Bucket) error
	GetBucket(name string) (Bucket, error)
	ListBuckets(account string) ([]Bucket, error)
	// UpdateBucket writes the policy and ownership of b back: only for
	// a b read in the same transaction (principalid rewrites policies so).
	UpdateBucket(b Bucket) error
	// SetBucketPolicy and SetBucketOwnership write that one column of
	// the bucket's row ("" policy: none), leaving the rest as concurrent
	// transactions left it; ErrNotFound for a missing bucket.
	SetBucketPolicy(name, policy string) error
	SetBucketOwnership(name, ownership string) error
	DeleteBucket(name string) error // and its settings

	// Bucket settings are the bucket's configurations (encryption,
	// tagging, CORS, lifecycle, ...), one value per name, each written on
	// its own so that concurrent writes of different settings all stay.
	// The value is opaque to the store.
	PutBucketSetting(bucket, name, value string) error    // ErrNotFound for a missing bucket
	GetBucketSetting(bucket, name string) (string, error) // ErrNotFound when unset
	DeleteBucketSetting(bucket, name string) error        // unset; ErrNotFound when it was not set

	// SAML identity providers, looked up by ARN
	// (arn:aws:iam::ACCOUNT:saml-provider/NAME, compared case-insensitively).
	CreateSAMLProvider(p SAMLProvider) error // ErrExists for a name taken in the account
	GetSAMLProvider(arn string) (SAMLProvider, error)
	ListSAMLProviders(account string) ([]SAMLProvider, error) // by ARN
	UpdateSAMLProvider(p SAMLProvider) error                  // metadata, valid until, tags
	DeleteSAMLProvider(arn string) error
	// Organizations, kept whole. PutOrganization creates one (Revision 0;
	// ErrExists when the id or the management account has one already)
	// or replaces the one read at o.Revision (ErrConflict when another
	// write came first); the stored Revision is then one more.
	PutOrganization(o Organization) error
	GetOrganization(id string) (Organization, error)
	ListOrganizations() ([]Organization, error) // by id
	DeleteOrganization(id string) error

	// Settings hold server-wide secrets such as the session-token keys.
	GetSetting(key string) (string, error)
	PutSetting(key, value string) error

	// The decision log. It is not state: an Update that does nothing but
	// PutDecisions and PruneDecisions (and decision reads) does not
	// advance Generation, so writing the log never empties the caches
	// keyed by it.
	//
	// PutDecisions stores the records. A record whose RequestID and Seq
	// are stored already is left as it was, so a batch whose commit was
	// in doubt may be written again. A zero Time is stored as now.
	PutDecisions(ds []DecisionRecord) error
	// GetDecisions returns the request's records by Seq (ErrNotFound when
	// there are none).
	GetDecisions(requestID string) ([]DecisionRecord, error)
	// ListDecisions returns the records made at or after since, newest
	// first (ties: by RequestID, then Seq, both descending); deniedOnly
	// keeps those whose Decision is not DecisionAllowed, and a limit
	// above 0 keeps that many. The records come without their
	// Explanation (nil), to keep listing cheap: GetDecisions has it.
	ListDecisions(since time.Time, deniedOnly bool, limit int) ([]DecisionRecord, error)
	// DecisionDetails returns the records made at or after from and
	// before to (a zero to: no end), oldest first, with their
	// Explanation; a limit above 0 keeps that many (the oldest).
	DecisionDetails(from, to time.Time, limit int) ([]DecisionRecord, error)
	// PruneDecisions deletes the records made earlier than before and
	// returns how many it deleted.
	PruneDecisions(before time.Time) (int, error)
	// RecordUses sets the last use of access keys and roles, keeping a
	// later one already stored; keys and roles that are gone are skipped.
	// Like the decision log, it does not advance Generation.
	RecordUses(uses []CredentialUse) error
}

// EntityKind is what an inline policy or attachment belongs to.
type EntityKind string

// Entity kinds.
const (
	KindUser  EntityKind = "user"
	KindGroup EntityKind = "group"
	KindRole  EntityKind = "role"
)

// Tag is an IAM tag.
type Tag struct {
	Key   string
	Value string
}

// Account is an AWS account.
type Account struct {
	ID        string
	Alias     string
	CreatedAt time.Time
}

// User is an IAM user.
type User struct {
	Account             string
	Name                string
	Path                string
	ID                  string // AIDA...
	PermissionsBoundary string // managed policy ARN, or ""
	Tags                []Tag
	CreatedAt           time.Time
	PasswordLastUsed    time.Time // last console sign-in with the password; zero: never
}

// AccessKey is a long-term access key of a user or of the account root.
type AccessKey struct {
	ID        string // AKIA...
	Secret    string
	Account   string
	UserName  string // "" for the account root
	Active    bool
	CreatedAt time.Time
	LastUsed  time.Time
	// LastUsedService and LastUsedRegion are those of the last use
	// (e.g. "s3", "us-east-1"); "" when never used.
	LastUsedService string
	LastUsedRegion  string
}

// LoginProfile is a user's console password.
type LoginProfile struct {
	Account       string
	UserName      string
	PasswordHash  string
	ResetRequired bool
	CreatedAt     time.Time
}

// Group is an IAM group.
type Group struct {
	Account   string
	Name      string
	Path      string
	ID        string // AGPA...
	CreatedAt time.Time
}

// Role is an IAM role.
type Role struct {
	Account             string
	Name                string
	Path                string
	ID                  string // AROA...
	TrustPolicy         string // the assume-role policy document as given
	Description         string
	MaxSessionDuration  int // seconds, 3600..43200
	PermissionsBoundary string
	Tags                []Tag
	CreatedAt           time.Time
	LastUsed            time.Time
	LastUsedRegion      string // of the last use; "" when never used
}

// ManagedPolicy is a customer (or AWS) managed policy.
type ManagedPolicy struct {
	Account          string // "aws" for AWS managed policies
	Name             string
	Path             string
	ID               string // ANPA...
	Description      string
	DefaultVersionID string
	Tags             []Tag
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// PolicyVersion is one version of a managed policy's document.
type PolicyVersion struct {
	PolicyARN string
	VersionID string // v1, v2, ...
	Document  string
	CreatedAt time.Time
}

// InlinePolicy is a policy embedded in a user, group or role.
type InlinePolicy struct {
	Account  string
	Kind     EntityKind
	Entity   string
	Name     string
	Document string
}

// Attachment links a managed policy to a user, group or role.
type Attachment struct {
	Account   string
	Kind      EntityKind
	Entity    string
	PolicyARN string
}

// InstanceProfile is an EC2 instance profile (holding at most one role).
type InstanceProfile struct {
	Account   string
	Name      string
	Path      string
	ID        string // AIPA...
	Roles     []string
	Tags      []Tag
	CreatedAt time.Time
}

// MFADevice is a virtual MFA device.
type MFADevice struct {
	Serial    string // arn:aws:iam::ACCOUNT:mfa/PATH/NAME
	Account   string
	Name      string
	Path      string
	Seed      string    // the TOTP seed in base32: a secret
	UserName  string    // the user it is enabled for, "" when unassigned
	EnabledAt time.Time // zero when unassigned
	LastStep  int64     // the time step of the last code accepted, 0 if none
	Tags      []Tag
	CreatedAt time.Time
}

// OIDCProvider is an IAM OpenID Connect identity provider.
type OIDCProvider struct {
	ARN         string // arn:aws:iam::ACCOUNT:oidc-provider/HOST/PATH
	Account     string
	URL         string // the issuer URL as created (https://HOST/PATH)
	ClientIDs   []string
	Thumbprints []string
	// JWKS is the provider's JSON Web Key Set, "" when none was given
	// (tokens are then verified with a built-in issuer's keys, if the URL
	// is one's).
	JWKS      string
	Tags      []Tag
	CreatedAt time.Time
}

// SAMLProvider is an IAM SAML 2.0 identity provider.
type SAMLProvider struct {
	ARN        string // arn:aws:iam::ACCOUNT:saml-provider/NAME
	Account    string
	Name       string
	UUID       string    // SAMLProviderUUID
	Metadata   string    // the SAML metadata document as uploaded
	ValidUntil time.Time // zero when the metadata sets none
	Tags       []Tag
	CreatedAt  time.Time
}

// Bucket is an S3 bucket.
type Bucket struct {
	Name      string
	Account   string
	Region    string
	Policy    string // "" when none
	Ownership string // BucketOwnerEnforced, BucketOwnerPreferred or ObjectWriter
	CreatedAt time.Time
}

// CredentialUse is the last use of an access key (AccessKeyID), of a
// role (RoleAccount and RoleID, for its sessions' requests) or of a
// user's password (UserID, a console sign-in).
type CredentialUse struct {
	AccessKeyID         string
	RoleAccount, RoleID string
	UserID              string
	At                  time.Time
	Service, Region     string
}

// DecisionAllowed is the Decision of a record that allowed its request;
// every other value is a denial.
const DecisionAllowed = "allowed"

// DecisionRecord is one authorization decision in the decision log.
type DecisionRecord struct {
	RequestID string
	Seq       int // orders one request's decisions
	Time      time.Time
	Principal string
	Action    string
	Resource  string
	Decision  string // DecisionAllowed, or how the request was denied
	Reason    string
	// Explanation is the JSON of the decision's audit.Explanation,
	// opaque to the store.
	Explanation []byte
}
