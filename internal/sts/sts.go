// Package sts serves the AWS Security Token Service Query API:
// GetCallerIdentity, AssumeRole, GetSessionToken, GetFederationToken,
// AssumeRoot, GetAccessKeyInfo and DecodeAuthorizationMessage, minting
// sealed, expiring temporary credentials after the engine allows the call.
package sts

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/sekisho/sekisho/internal/access"
	"github.com/sekisho/sekisho/internal/arn"
	"github.com/sekisho/sekisho/internal/authz"
	"github.com/sekisho/sekisho/internal/awsproto"
	"github.com/sekisho/sekisho/internal/creds"
	"github.com/sekisho/sekisho/internal/oidc"
	"github.com/sekisho/sekisho/internal/policy"
	"github.com/sekisho/sekisho/internal/store"
)

// Namespace is STS's XML namespace.
const Namespace = "https://sts.amazonaws.com/doc/2011-06-15/"

// APIVersion is the only Version STS accepts.
const APIVersion = "2011-06-15"

// Service is the STS API.
type Service struct {
	store   store.Store
	gate    *access.Gate
	log     *slog.Logger
	issuers *oidc.Issuers
	// providers caches OIDC providers and their keys for web identity.
	providers providerCache
	org       RootAccessOrganization // nil: AssumeRoot is refused
	// expiry is the last Expiration formatted: sessions issued in one
	// second with one duration share it.
	expiry atomic.Pointer[formattedTime]
}

// formattedTime is a UTC second and its text in awsproto.Timestamp.
type formattedTime struct {
	unix int64
	text string
}

// expiration formats t (a whole UTC second, as sessions expire) as
// awsproto.Timestamp, reusing the last call's text for the same second.
func (s *Service) expiration(t time.Time) string {
	if t.Location() != time.UTC || t.Nanosecond() != 0 {
		return t.Format(awsproto.Timestamp)
	}
	if f := s.expiry.Load(); f != nil && f.unix == t.Unix() {
		return f.text
	}
	f := &formattedTime{unix: t.Unix(), text: t.Format(awsproto.Timestamp)}
	s.expiry.Store(f)
	return f.text
}

// New returns the STS service.
func New(st store.Store, gate *access.Gate, log *slog.Logger) *Service {
	return &Service{store: st, gate: gate, log: log, issuers: oidc.NewIssuers(st, gate.Now)}
}

// Issuers are the built-in identity providers whose tokens this service
// verifies (and `sekisho token oidc` asks for).
func (s *Service) Issuers() *oidc.Issuers { return s.issuers }

// Handle runs one STS action and returns its result document.
func (s *Service) Handle(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	if v := call.Params.Get("Version"); v != APIVersion {
		return nil, awsproto.Errorf(http.StatusBadRequest, "InvalidAction", "Could not find operation %s for version %s", call.Action, v)
	}
	if call.Caller == nil && !servedUnsigned(call.Action) {
		// The front door lets only unsigned operations through without a
		// caller; refuse anything else as AWS refuses an unsigned call.
		return nil, awsproto.Errorf(http.StatusForbidden, "MissingAuthenticationToken", "Request is missing Authentication Token")
	}
	if call.Caller != nil && call.Caller.IsFederatedUser() && call.Action != "GetCallerIdentity" {
		if _, ok := operations[call.Action]; ok {
			// Federated users may call no STS operation but GetCallerIdentity.
			return nil, awsproto.AccessDenied(fmt.Sprintf("Cannot call %s with session credentials", call.Action))
		}
	}
	if op, ok := operations[call.Action]; ok {
		return op(s, ctx, call)
	}
	return nil, awsproto.Errorf(http.StatusBadRequest, "InvalidAction", "Could not find operation %s for version %s", call.Action, APIVersion)
}

// operations is STS's operation table: each action Sekisho serves.
var operations = map[string]func(*Service, context.Context, *awsproto.Call) (any, *awsproto.Error){
	"GetCallerIdentity": func(s *Service, _ context.Context, call *awsproto.Call) (any, *awsproto.Error) {
		return s.getCallerIdentity(call), nil
	},
	"AssumeRole":                 (*Service).assumeRole,
	"GetSessionToken":            (*Service).getSessionToken,
	"GetFederationToken":         (*Service).getFederationToken,
	"GetAccessKeyInfo":           (*Service).getAccessKeyInfo,
	"DecodeAuthorizationMessage": (*Service).decodeAuthorizationMessage,
	"AssumeRoot":                 (*Service).assumeRoot,
	"AssumeRoleWithWebIdentity":  (*Service).assumeRoleWithWebIdentity,
	"AssumeRoleWithSAML":         (*Service).assumeRoleWithSAMLAssertion,
}

// Actions lists the IAM actions of the operations STS serves (sts:...),
// sorted.
func Actions() []string {
	out := make([]string, 0, len(operations))
	for name := range operations {
		out = append(out, "sts:"+name)
	}
	sort.Strings(out)
	return out
}

type callerIdentityResult struct {
	XMLName xml.Name `xml:"GetCallerIdentityResult"`
	Arn     string   `xml:"Arn"`
	UserID  string   `xml:"UserId"`
	Account string   `xml:"Account"`
}

// AppendXML renders r as encoding/xml does (TestResultsAppendAsMarshal).
func (r callerIdentityResult) AppendXML(dst []byte) []byte {
	dst = append(dst, "<GetCallerIdentityResult>"...)
	dst = awsproto.AppendXMLElement(dst, "Arn", r.Arn)
	dst = awsproto.AppendXMLElement(dst, "UserId", r.UserID)
	dst = awsproto.AppendXMLElement(dst, "Account", r.Account)
	return append(dst, "</GetCallerIdentityResult>"...)
}

// getCallerIdentity needs no permission: even an explicit deny cannot block it.
func (s *Service) getCallerIdentity(call *awsproto.Call) any {
	c := call.Caller
	return callerIdentityResult{Arn: c.Principal.ARN, UserID: c.UserID, Account: c.Principal.Account}
}

type credentialsXML struct {
	AccessKeyID     string `xml:"AccessKeyId"`
	SecretAccessKey string `xml:"SecretAccessKey"`
	SessionToken    string `xml:"SessionToken"`
	Expiration      string `xml:"Expiration"`
}

type assumedRoleUser struct {
	AssumedRoleID string `xml:"AssumedRoleId"`
	Arn           string `xml:"Arn"`
}

type assumeRoleResult struct {
	XMLName          xml.Name        `xml:"AssumeRoleResult"`
	Credentials      credentialsXML  `xml:"Credentials"`
	AssumedRoleUser  assumedRoleUser `xml:"AssumedRoleUser"`
	PackedPolicySize *int            `xml:"PackedPolicySize,omitempty"`
	SourceIdentity   string          `xml:"SourceIdentity,omitempty"`
}

// appendXML renders c as encoding/xml does for a field named Credentials.
func (c credentialsXML) appendXML(dst []byte) []byte {
	dst = append(dst, "<Credentials>"...)
	dst = awsproto.AppendXMLElement(dst, "AccessKeyId", c.AccessKeyID)
	dst = awsproto.AppendXMLElement(dst, "SecretAccessKey", c.SecretAccessKey)
	dst = awsproto.AppendXMLElement(dst, "SessionToken", c.SessionToken)
	dst = awsproto.AppendXMLElement(dst, "Expiration", c.Expiration)
	return append(dst, "</Credentials>"...)
}

// AppendXML renders r as encoding/xml does (TestResultsAppendAsMarshal).
func (r assumeRoleResult) AppendXML(dst []byte) []byte {
	dst = append(dst, "<AssumeRoleResult>"...)
	dst = r.Credentials.appendXML(dst)
	dst = append(dst, "<AssumedRoleUser>"...)
	dst = awsproto.AppendXMLElement(dst, "AssumedRoleId", r.AssumedRoleUser.AssumedRoleID)
	dst = awsproto.AppendXMLElement(dst, "Arn", r.AssumedRoleUser.Arn)
	dst = append(dst, "</AssumedRoleUser>"...)
	if r.PackedPolicySize != nil {
		dst = awsproto.AppendXMLInt(dst, "PackedPolicySize", *r.PackedPolicySize)
	}
	if r.SourceIdentity != "" {
		dst = awsproto.AppendXMLElement(dst, "SourceIdentity", r.SourceIdentity)
	}
	return append(dst, "</AssumeRoleResult>"...)
}

type sessionTokenResult struct {
	XMLName     xml.Name       `xml:"GetSessionTokenResult"`
	Credentials credentialsXML `xml:"Credentials"`
}

var (
	// sessionNamePattern is `^[\w+=,.@-]*$` and externalIDPattern
	// `^[\w+=,.@:/-]*$`, checked byte by byte (TestBytePatternsAsRegexp).
	sessionNamePattern = newBytePattern(`+=,.@-`)
	externalIDPattern  = newBytePattern(`+=,.@:/-`)
	tokenCodePattern   = regexp.MustCompile(`^[0-9]{6}$`)
	serialPattern      = regexp.MustCompile(`^[\w+=/:,.@-]+$`)
)

// bytePattern is the regular expression ^[\w<extra>]*$ for ASCII
// characters: \w (letters, digits, underscore) and the extra ones. A
// string matches when every byte is one of them (no byte of a multi-byte
// UTF-8 character is).
type bytePattern [256]bool

func newBytePattern(extra string) *bytePattern {
	var p bytePattern
	for c := 0; c < 256; c++ {
		p[c] = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
	}
	for i := 0; i < len(extra); i++ {
		p[extra[i]] = true
	}
	return &p
}

// MatchString reports whether every byte of s is in the pattern's class.
func (p *bytePattern) MatchString(s string) bool {
	for i := 0; i < len(s); i++ {
		if !p[s[i]] {
			return false
		}
	}
	return true
}

// assumeRoleInput is AssumeRole's validated parameters.
type assumeRoleInput struct {
	roleARN, sessionName, externalID, sourceIdentity string
	duration                                         int
	durationGiven                                    bool
	sessionPolicy                                    string
	policyARNs                                       []string
	tags                                             []creds.Tag
	transitive                                       []string
	// mfaSerial and mfaCode are SerialNumber and TokenCode; mfaAt is set
	// once the code verified.
	mfaSerial, mfaCode string
	mfaAt              time.Time
}

func validationError(value, member, constraint string) *awsproto.Error {
	return awsproto.ValidationError("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: %s", value, member, constraint)
}

// parseAssumeRole fills in (the caller's, which may then stay on its
// stack) from the parameters.
func parseAssumeRole(p awsproto.Params, in *assumeRoleInput) *awsproto.Error {
	var e *awsproto.Error
	if in.roleARN, e = p.Required("RoleArn"); e != nil {
		return e
	}
	if in.sessionName, e = p.Required("RoleSessionName"); e != nil {
		return e
	}
	if n := len(in.roleARN); n < 20 || n > 2048 {
		return validationError(in.roleARN, "roleArn", "Member must have length greater than or equal to 20")
	}
	if n := len(in.sessionName); n < 2 || n > 64 || !sessionNamePattern.MatchString(in.sessionName) {
		return validationError(in.sessionName, "roleSessionName", `Member must satisfy regular expression pattern: [\w+=,.@-]*`)
	}
	in.durationGiven = p.Has("DurationSeconds")
	if in.duration, e = p.Int("DurationSeconds", 3600); e != nil {
		return e
	}
	if in.duration < 900 || in.duration > 43200 {
		return validationError(fmt.Sprint(in.duration), "durationSeconds", "Member must have value greater than or equal to 900 and less than or equal to 43200")
	}
	if p.Has("ExternalId") {
		in.externalID = p.Get("ExternalId")
		if n := len(in.externalID); n < 2 || n > 1224 || !externalIDPattern.MatchString(in.externalID) {
			return validationError(in.externalID, "externalId", `Member must satisfy regular expression pattern: [\w+=,.@:\/-]*`)
		}
	}
	if e := parseSessionExtras(p, in); e != nil {
		return e
	}
	return nil
}

func parseSessionExtras(p awsproto.Params, in *assumeRoleInput) *awsproto.Error {
	in.sessionPolicy = p.Get("Policy")
	for _, m := range p.Structs("PolicyArns") {
		in.policyARNs = append(in.policyARNs, m["arn"])
	}
	if len(in.policyARNs) > 10 {
		return validationError("[...]", "policyArns", "Member must have length less than or equal to 10")
	}
	for _, m := range p.Structs("Tags") {
		k, v := m["Key"], m["Value"]
		if e := checkTag(k, v); e != nil {
			return e
		}
		in.tags = append(in.tags, creds.Tag{Key: k, Value: v})
	}
	if len(in.tags) > 50 {
		return validationError("[...]", "tags", "Member must have length less than or equal to 50")
	}
	in.transitive = p.List("TransitiveTagKeys")
	if p.Has("SourceIdentity") {
		in.sourceIdentity = p.Get("SourceIdentity")
		// The API reference's pattern is the session name's, [\w+=,.@-]*,
		// as the web identity claim already checks.
		if n := len(in.sourceIdentity); n < 2 || n > 64 || !sessionNamePattern.MatchString(in.sourceIdentity) ||
			strings.HasPrefix(strings.ToLower(in.sourceIdentity), "aws:") {
			return validationError(in.sourceIdentity, "sourceIdentity", `Member must satisfy regular expression pattern: [\w+=,.@-]*`)
		}
	}
	if p.Has("SerialNumber") || p.Has("TokenCode") {
		if !tokenCodePattern.MatchString(p.Get("TokenCode")) {
			return validationError(p.Get("TokenCode"), "tokenCode", "Member must satisfy regular expression pattern: [\\d]*")
		}
		in.mfaSerial, in.mfaCode = p.Get("SerialNumber"), p.Get("TokenCode")
		if n := len(in.mfaSerial); p.Has("SerialNumber") && (n < 9 || n > 256 || !serialPattern.MatchString(in.mfaSerial)) {
			return validationError(in.mfaSerial, "serialNumber", `Member must satisfy regular expression pattern: [\w+=/:,.@-]*`)
		}
	}
	return nil
}

// tagPattern is the STS API reference's pattern for a session tag's key
// (with +) and value (with *).
const tagPattern = `[\p{L}\p{Z}\p{N}_.:/=+\-@]`

// checkTag applies the STS API reference's Tag constraints: a key of 1 to
// 128 characters and a value of up to 256 (characters, not bytes), both
// of letters, separators (such as the space), numbers and _.:/=+-@.
func checkTag(k, v string) *awsproto.Error {
	switch n := utf8.RuneCountInString(k); {
	case n < 1 || n > 128:
		return validationError(k, "tags.member.key", "Member must have length less than or equal to 128")
	case !isTagText(k):
		return validationError(k, "tags.member.key", "Member must satisfy regular expression pattern: "+tagPattern+"+")
	case utf8.RuneCountInString(v) > 256:
		return validationError(v, "tags.member.value", "Member must have length less than or equal to 256")
	case !isTagText(v):
		return validationError(v, "tags.member.value", "Member must satisfy regular expression pattern: "+tagPattern+"*")
	}
	return nil
}

// isTagText reports whether every character of s is in tagPattern.
func isTagText(s string) bool {
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.Is(unicode.Z, r) && !unicode.IsNumber(r) && !strings.ContainsRune("_.:/=+-@", r) {
			return false
		}
	}
	return true
}

func (s *Service) assumeRole(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	var input assumeRoleInput
	if e := parseAssumeRole(call.Params, &input); e != nil {
		return nil, e
	}
	in := &input
	c := call.Caller
	if c.Principal.Type == policy.PrincipalRoot {
		return nil, awsproto.AccessDenied("Roles may not be assumed by root accounts.")
	}
	denied := func() *awsproto.Error { // built only when needed: most calls are allowed
		return awsproto.AccessDenied(fmt.Sprintf("User: %s is not authorized to perform: sts:AssumeRole on resource: %s", c.Principal.ARN, in.roleARN))
	}
	role, found, err := s.findRole(ctx, in.roleARN)
	if err != nil {
		return nil, s.internal(err)
	}
	if !found {
		return nil, denied()
	}
	if e := s.checkSessionPolicy(in); e != nil {
		return nil, e
	}
	if e := checkDuration(in, role, c); e != nil {
		return nil, e
	}
	if e := checkInheritance(c, in); e != nil {
		return nil, e
	}
	inherited := inheritFromCaller(c, in)
	if e := s.verifyMFA(ctx, c, in); e != nil {
		return nil, e
	}
	if ok, err := s.authorizeAssume(ctx, call, role, in); err != nil {
		return nil, s.internal(err)
	} else if !ok {
		return nil, denied()
	}
	return s.mint(call, role, in, inherited)
}

// findRole looks a role up by ARN; an unknown role answers like a trust failure.
func (s *Service) findRole(ctx context.Context, roleARN string) (store.Role, bool, error) {
	a, err := arn.Parse(roleARN)
	if err != nil || a.Service != "iam" || !strings.HasPrefix(a.Resource, "role/") {
		return store.Role{}, false, nil
	}
	name := a.Resource[strings.LastIndexByte(a.Resource, '/')+1:]
	role, err := s.gate.Role(ctx, a.Account, name)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return role, false, nil
	case err != nil:
		return role, false, err
	}
	// The ARN's path must be the role's; names compare case-insensitively but the ARN must be exact.
	return role, isRoleARN(role, roleARN) || strings.EqualFold(access.RoleARN(role), roleARN), nil
}

// isRoleARN reports whether s is access.RoleARN(role), without building it.
func isRoleARN(role store.Role, s string) bool {
	for _, part := range [...]string{"arn:aws:iam::", role.Account, ":role", role.Path, role.Name} {
		rest, ok := strings.CutPrefix(s, part)
		if !ok {
			return false
		}
		s = rest
	}
	return s == ""
}

// roleARNOf is access.RoleARN(role), reusing asked (the ARN the caller
// sent) when it is exactly that.
func roleARNOf(role store.Role, asked string) string {
	if isRoleARN(role, asked) {
		return asked
	}
	return access.RoleARN(role)
}

// checkSessionPolicy validates the inline session policy and the packed
// size of session policies and tags together: tags and policy ARNs fill
// the allowance even without an inline policy (AssumeRole API reference,
// PackedPolicySize: the request fails over 100 percent).
func (s *Service) checkSessionPolicy(in *assumeRoleInput) *awsproto.Error {
	if in.sessionPolicy != "" {
		if _, err := policy.Parse(in.sessionPolicy, policy.Session); err != nil {
			return sessionPolicyError(in, err)
		}
	}
	if packedPercent(in) > 100 {
		return awsproto.Errorf(http.StatusBadRequest, "PackedPolicyTooLarge", "Packed policy consumes %d%% of allotted space, please use smaller policy.", packedPercent(in))
	}
	return nil
}

// sessionPolicyError is AWS's answer to an inline session policy that
// does not parse: too large, or malformed.
func sessionPolicyError(in *assumeRoleInput, err error) *awsproto.Error {
	var pe *policy.Error
	if errors.As(err, &pe) && pe.ErrorCode() == policy.CodeLimitExceeded {
		return awsproto.Errorf(http.StatusBadRequest, "PackedPolicyTooLarge", "Packed policy consumes %d%% of allotted space, please use smaller policy.", packedPercent(in))
	}
	msg := err.Error()
	if errors.As(err, &pe) {
		msg = pe.Message
	}
	return awsproto.Errorf(http.StatusBadRequest, "MalformedPolicyDocument", "%s", msg)
}

// packedPercent estimates AWS's packed size of session policies and tags
// as a percentage of the allowance (2,048 plaintext characters).
func packedPercent(in *assumeRoleInput) int {
	size := 0
	for _, r := range in.sessionPolicy {
		if r != ' ' && r != '\n' && r != '\t' && r != '\r' {
			size++
		}
	}
	for _, a := range in.policyARNs {
		size += len(a)
	}
	for _, t := range in.tags {
		size += len(t.Key) + len(t.Value)
	}
	return (size*100 + policy.MaxSessionPolicySize - 1) / policy.MaxSessionPolicySize
}

func checkDuration(in *assumeRoleInput, role store.Role, c *access.Caller) *awsproto.Error {
	maxDuration := role.MaxSessionDuration
	if maxDuration == 0 {
		maxDuration = 3600
	}
	// Any temporary credentials make it role chaining, GetSessionToken's
	// included (AWS Knowledge Center, iam-role-chaining-limit).
	if c.Temporary() && in.duration > 3600 {
		return awsproto.ValidationError("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
	}
	if in.duration > maxDuration {
		return awsproto.ValidationError("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	}
	return nil
}

// checkInheritance refuses a chained call that would replace what the
// calling session passes on: a session tag with the key (compared
// ignoring case) of an inherited transitive tag fails (AssumeRole API
// reference, Tags). The code and wording are those AWS was observed to
// return. A source identity, once set, cannot be changed during the
// role session or its chain (IAM UG, Monitor and control actions taken
// with assumed roles); the error is as observed from AWS.
func checkInheritance(c *access.Caller, in *assumeRoleInput) *awsproto.Error {
	prev := c.Session
	if prev == nil || !c.IsRoleSession() {
		return nil
	}
	if prev.SourceIdentity != "" && in.sourceIdentity != "" && in.sourceIdentity != prev.SourceIdentity {
		return awsproto.ValidationError("The source identity is already set for this assume role session.")
	}
	for _, key := range prev.TransitiveTagKeys {
		for _, t := range in.tags {
			if strings.EqualFold(t.Key, key) {
				return awsproto.Errorf(http.StatusBadRequest, "InvalidParameterValue",
					"One of the specified transitive tag keys can't be set because it conflicts with a transitive tag key from the calling session.")
			}
		}
	}
	return nil
}

// inheritFromCaller carries transitive session tags and the source
// identity of a role-chaining caller into the new session.
func inheritFromCaller(c *access.Caller, in *assumeRoleInput) (inherited []creds.Tag) {
	prev := c.Session
	if prev == nil || !c.IsRoleSession() {
		return nil
	}
	for _, key := range prev.TransitiveTagKeys {
		for _, t := range prev.Tags {
			if strings.EqualFold(t.Key, key) {
				inherited = append(inherited, t)
				in.transitive = append(in.transitive, t.Key)
			}
		}
	}
	if in.sourceIdentity == "" {
		in.sourceIdentity = prev.SourceIdentity
	}
	return inherited
}

// authorizeAssume asks the engine for sts:AssumeRole, and for
// sts:TagSession and sts:SetSourceIdentity when the call needs them.
func (s *Service) authorizeAssume(ctx context.Context, call *awsproto.Call, role store.Role, in *assumeRoleInput) (bool, error) {
	actions := []string{"sts:AssumeRole"}
	if len(in.tags) > 0 {
		actions = append(actions, "sts:TagSession")
	}
	if in.sourceIdentity != "" {
		actions = append(actions, "sts:SetSourceIdentity")
	}
	return s.authorizeTrust(ctx, call, role, in, actions)
}

// authorizeTrust asks the engine for each action on the role, its trust
// policy as the resource policy; every one must be allowed.
func (s *Service) authorizeTrust(ctx context.Context, call *awsproto.Call, role store.Role, in *assumeRoleInput, actions []string) (bool, error) {
	trust, err := s.gate.Compile(role.TrustPolicy, policy.Trust)
	if err != nil {
		return false, fmt.Errorf("trust policy of %s: %w", role.Name, err)
	}
	for _, action := range actions {
		chk := access.Check{
			Action: action, Resource: roleARNOf(role, in.roleARN), ResourceAccount: role.Account,
			Context: assumeContext(call.Context, in), Trust: true, RequestID: call.RequestID,
			ResourcePolicy: &authz.Source{Name: role.Name + " trust policy", Policy: trust},
		}
		d, err := s.gate.Authorize(ctx, withVerifiedMFA(call.Caller, in), chk)
		if err != nil {
			return false, err
		}
		if s.log.Enabled(ctx, slog.LevelDebug) { // the arguments (Message builds a sentence) cost even when not logged
			s.log.Debug("decision", "request_id", call.RequestID, "principal", call.Caller.Principal.ARN,
				"action", action, "resource", chk.Resource, "effect", d.Effect.String(), "reason", d.Reason, "message", d.Message())
		}
		if d.Effect != authz.Allowed {
			return false, nil
		}
	}
	return true, nil
}

func assumeContext(base *policy.Context, in *assumeRoleInput) *policy.Context {
	ctx := base.Clone()
	ctx.Set("sts:rolesessionname", in.sessionName) // lower-cased as Context keeps it: Set need not copy it
	if in.externalID != "" {
		ctx.Set("sts:externalid", in.externalID)
	}
	if in.sourceIdentity != "" {
		ctx.Set("sts:sourceidentity", in.sourceIdentity)
	}
	if !in.mfaAt.IsZero() {
		ctx.Set("aws:multifactorauthpresent", "true")
		ctx.Set("aws:multifactorauthage", "0")
	}
	if len(in.tags) > 0 {
		keys := make([]string, 0, len(in.tags))
		for _, t := range in.tags {
			ctx.Set("aws:RequestTag/"+t.Key, t.Value)
			keys = append(keys, t.Key)
		}
		ctx.Set("aws:tagkeys", keys...)
	}
	if len(in.transitive) > 0 {
		ctx.Set("sts:transitivetagkeys", in.transitive...)
	}
	return ctx
}

func (s *Service) mint(call *awsproto.Call, role store.Role, in *assumeRoleInput, inherited []creds.Tag) (any, *awsproto.Error) {
	now := s.gate.Now().UTC().Truncate(time.Second)
	mfaOK, mfaAt := sessionMFA(call.Caller, in)
	sess := &creds.Session{
		AccessKeyID: creds.NewAccessKeyIDFor(true, role.Account), SecretAccessKey: creds.NewSecretKey(),
		Account: role.Account, Kind: creds.AssumedRole,
		RoleARN: roleARNOf(role, in.roleARN), RoleID: role.ID, SessionName: in.sessionName,
		SourceIdentity: in.sourceIdentity, Tags: append(inherited, in.tags...), TransitiveTagKeys: in.transitive,
		SessionPolicy: in.sessionPolicy, PolicyARNs: in.policyARNs, MFA: mfaOK, MFAAuthAt: mfaAt,
		Chained: call.Caller.IsRoleSession(), IssuedAt: now, Expires: now.Add(time.Duration(in.duration) * time.Second),
	}
	token, err := s.gate.Sealer().Seal(sess)
	if err != nil {
		return nil, s.internal(err)
	}
	res := assumeRoleResult{
		Credentials: credentialsXML{AccessKeyID: sess.AccessKeyID, SecretAccessKey: sess.SecretAccessKey,
			SessionToken: token, Expiration: s.expiration(sess.Expires)},
		AssumedRoleUser: assumedRoleUser{AssumedRoleID: role.ID + ":" + in.sessionName,
			Arn: access.SessionARN(role.Account, role.Name, in.sessionName)},
		SourceIdentity: in.sourceIdentity,
	}
	if in.sessionPolicy != "" || len(in.policyARNs) > 0 || len(in.tags) > 0 {
		pct := packedPercent(in)
		res.PackedPolicySize = &pct
	}
	return res, nil
}

func (s *Service) getSessionToken(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	c := call.Caller
	if c.Temporary() {
		return nil, awsproto.AccessDenied("Cannot call GetSessionToken with session credentials")
	}
	duration, e := call.Params.Int("DurationSeconds", 43200)
	if e != nil {
		return nil, e
	}
	if duration < 900 || duration > 129600 {
		return nil, validationError(fmt.Sprint(duration), "durationSeconds", "Member must have value greater than or equal to 900 and less than or equal to 129600")
	}
	kind := creds.UserSession
	if c.Principal.Type == policy.PrincipalRoot {
		kind = creds.RootSession
		duration = min(duration, 3600)
	}
	in := &assumeRoleInput{}
	if e := parseSessionExtras(call.Params, in); e != nil {
		return nil, e
	}
	if e := s.verifyMFA(ctx, c, in); e != nil {
		return nil, e
	}
	now := s.gate.Now().UTC().Truncate(time.Second)
	sess := &creds.Session{
		AccessKeyID: creds.NewAccessKeyIDFor(true, c.Principal.Account), SecretAccessKey: creds.NewSecretKey(),
		Account: c.Principal.Account, Kind: kind, UserARN: c.Principal.ARN, UserID: c.UserID,
		MFA: !in.mfaAt.IsZero(), MFAAuthAt: in.mfaAt, IssuedAt: now, Expires: now.Add(time.Duration(duration) * time.Second),
	}
	token, err := s.gate.Sealer().Seal(sess)
	if err != nil {
		return nil, s.internal(err)
	}
	return sessionTokenResult{Credentials: credentialsXML{AccessKeyID: sess.AccessKeyID,
		SecretAccessKey: sess.SecretAccessKey, SessionToken: token, Expiration: sess.Expires.Format(awsproto.Timestamp)}}, nil
}

func (s *Service) internal(err error) *awsproto.Error {
	if errors.Is(err, store.ErrUnavailable) {
		return awsproto.ServiceUnavailable()
	}
	s.log.Error("sts internal error", "err", err)
	return awsproto.InternalError()
}
