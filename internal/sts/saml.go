package sts

import (
	"context"
	"crypto/sha1"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/sekisho/sekisho/internal/access"
	"github.com/sekisho/sekisho/internal/arn"
	"github.com/sekisho/sekisho/internal/authz"
	"github.com/sekisho/sekisho/internal/awsproto"
	"github.com/sekisho/sekisho/internal/creds"
	"github.com/sekisho/sekisho/internal/policy"
	"github.com/sekisho/sekisho/internal/saml"
	"github.com/sekisho/sekisho/internal/store"
)

// AssumeRoleWithSAML: the caller is a SAML response signed by an IAM SAML
// provider's IdP, not a signature, so the request comes unsigned.

type samlResult struct {
	XMLName          xml.Name        `xml:"AssumeRoleWithSAMLResult"`
	Credentials      credentialsXML  `xml:"Credentials"`
	AssumedRoleUser  assumedRoleUser `xml:"AssumedRoleUser"`
	PackedPolicySize *int            `xml:"PackedPolicySize,omitempty"`
	Subject          string          `xml:"Subject"`
	SubjectType      string          `xml:"SubjectType"`
	Issuer           string          `xml:"Issuer"`
	Audience         string          `xml:"Audience"`
	NameQualifier    string          `xml:"NameQualifier"`
	SourceIdentity   string          `xml:"SourceIdentity,omitempty"`
}

// samlInput is AssumeRoleWithSAML's parameters and what the verified
// assertion adds to them.
type samlInput struct {
	assumeRoleInput
	providerARN, assertion string
	provider               store.SAMLProvider
	claims                 *saml.Assertion
}

// samlSessionNamePattern is AWS's rule for the RoleSessionName and
// SourceIdentity attributes.
var samlSessionNamePattern = regexp.MustCompile(`^[a-zA-Z_0-9+=,.@-]{2,64}$`)

// samlDenied is AWS's one answer for a role that is missing, not in the
// assertion or whose trust policy does not allow the provider.
func samlDenied() *awsproto.Error {
	return awsproto.AccessDenied("Not authorized to perform sts:AssumeRoleWithSAML")
}

func parseSAMLParams(p awsproto.Params) (*samlInput, *awsproto.Error) {
	in := &samlInput{}
	var e *awsproto.Error
	if in.roleARN, e = p.Required("RoleArn"); e != nil {
		return nil, e
	}
	if in.providerARN, e = p.Required("PrincipalArn"); e != nil {
		return nil, e
	}
	if in.assertion, e = p.Required("SAMLAssertion"); e != nil {
		return nil, e
	}
	if n := len(in.roleARN); n < 20 || n > 2048 {
		return nil, validationError(in.roleARN, "roleArn", "Member must have length greater than or equal to 20")
	}
	if n := len(in.providerARN); n < 20 || n > 2048 {
		return nil, validationError(in.providerARN, "principalArn", "Member must have length greater than or equal to 20")
	}
	if n := len(in.assertion); n < 4 || n > saml.MaxEncodedSize {
		return nil, validationError("[...]", "sAMLAssertion", fmt.Sprintf("Member must have length less than or equal to %d", saml.MaxEncodedSize))
	}
	in.durationGiven = p.Has("DurationSeconds")
	if in.duration, e = p.Int("DurationSeconds", 3600); e != nil {
		return nil, e
	}
	if in.duration < 900 || in.duration > 43200 {
		return nil, validationError(fmt.Sprint(in.duration), "durationSeconds", "Member must have value greater than or equal to 900 and less than or equal to 43200")
	}
	in.sessionPolicy = p.Get("Policy")
	for _, m := range p.Structs("PolicyArns") {
		in.policyARNs = append(in.policyARNs, m["arn"])
	}
	if len(in.policyARNs) > 10 {
		return nil, validationError("[...]", "policyArns", "Member must have length less than or equal to 10")
	}
	return in, nil
}

// assumeRoleWithSAMLAssertion serves AssumeRoleWithSAML.
func (s *Service) assumeRoleWithSAMLAssertion(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in, e := parseSAMLParams(call.Params)
	if e != nil {
		return nil, e
	}
	if e := s.verifySAML(ctx, in); e != nil {
		return nil, e
	}
	if e := readSAMLAttributes(in); e != nil {
		return nil, e
	}
	role, found, err := s.findRole(ctx, in.roleARN)
	if err != nil {
		return nil, s.internal(err)
	}
	if !found || role.Account != in.provider.Account {
		return nil, samlDenied()
	}
	if e := s.checkSessionPolicy(&in.assumeRoleInput); e != nil {
		return nil, e
	}
	if maxDuration := max(role.MaxSessionDuration, 3600); in.duration > maxDuration {
		return nil, awsproto.ValidationError("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	}
	if ok, err := s.authorizeSAML(ctx, call, role, in); err != nil {
		return nil, s.internal(err)
	} else if !ok {
		return nil, samlDenied()
	}
	return s.mintSAML(role, in)
}

// verifySAML finds the provider named by PrincipalArn and verifies the
// response against its metadata.
func (s *Service) verifySAML(ctx context.Context, in *samlInput) *awsproto.Error {
	a, err := arn.Parse(in.providerARN)
	if err != nil || a.Service != "iam" || !strings.HasPrefix(a.Resource, "saml-provider/") {
		return invalidIdentityToken("Specified provider doesn't exist")
	}
	err = s.store.View(ctx, func(tx store.Tx) error {
		var err error
		in.provider, err = tx.GetSAMLProvider(in.providerARN)
		return err
	})
	if errors.Is(err, store.ErrNotFound) || (err == nil && in.provider.ARN != in.providerARN) {
		return invalidIdentityToken("Specified provider doesn't exist")
	}
	if err != nil {
		return s.internal(err)
	}
	md, err := saml.ParseMetadata(in.provider.Metadata)
	if err != nil {
		// IAM parsed it on upload; a world file may hold anything.
		s.log.Warn("SAML provider metadata unreadable", "provider", in.provider.ARN, "err", err)
		return invalidIdentityToken("Response signature invalid")
	}
	in.claims, err = saml.Verify(in.assertion, md, s.gate.Now())
	if err != nil {
		s.log.Debug("SAML response refused", "provider", in.provider.ARN, "err", err)
	}
	return samlVerifyError(err)
}

// samlVerifyError maps a verification failure to AWS's error.
func samlVerifyError(err error) *awsproto.Error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, saml.ErrExpired):
		return awsproto.Errorf(http.StatusBadRequest, "ExpiredTokenException", "Response has expired")
	case errors.Is(err, saml.ErrSignature):
		return invalidIdentityToken("Response signature invalid")
	case errors.Is(err, saml.ErrIssuer):
		return invalidIdentityToken("Issuer not present in specified provider")
	case errors.Is(err, saml.ErrAudience):
		return invalidIdentityToken("Response does not contain the required audience.")
	case errors.Is(err, saml.ErrNotYetValid):
		return invalidIdentityToken("Response is not yet valid")
	}
	return invalidIdentityToken("Invalid SAML response")
}

// readSAMLAttributes takes the role pair, session name, source identity,
// duration and session tags from the verified assertion.
func readSAMLAttributes(in *samlInput) *awsproto.Error {
	a := in.claims
	if !hasRolePair(a.Values(saml.AttrRole), in.roleARN, in.providerARN) {
		return samlDenied()
	}
	names := a.Values(saml.AttrRoleSessionName)
	if len(names) == 0 {
		return invalidIdentityToken("RoleSessionName is required in AuthnResponse")
	}
	if in.sessionName = names[0]; !samlSessionNamePattern.MatchString(in.sessionName) {
		return invalidIdentityToken("RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}")
	}
	if ids := a.Values(saml.AttrSourceIdentity); len(ids) > 0 {
		in.sourceIdentity = ids[0]
		if !samlSessionNamePattern.MatchString(in.sourceIdentity) || strings.HasPrefix(strings.ToLower(in.sourceIdentity), "aws:") {
			return invalidIdentityToken(`Source Identity must match [a-zA-Z_0-9+=,.@-]{2,64} and not begin with "aws:"`)
		}
	}
	if d := a.Values(saml.AttrSessionDuration); len(d) > 0 && !in.durationGiven {
		n, err := strconv.Atoi(d[0])
		if err != nil || n < 900 || n > 43200 {
			return invalidIdentityToken("SessionDuration in AuthnResponse must be between 900 and 43200 seconds")
		}
		in.duration = n
	}
	return readSAMLTags(in)
}

// hasRolePair reports whether a Role attribute value pairs the role with
// the provider, in either order.
func hasRolePair(values []string, role, provider string) bool {
	for _, v := range values {
		first, second, ok := strings.Cut(v, ",")
		first, second = strings.TrimSpace(first), strings.TrimSpace(second)
		if ok && ((first == role && second == provider) || (first == provider && second == role)) {
			return true
		}
	}
	return false
}

func readSAMLTags(in *samlInput) *awsproto.Error {
	for _, attr := range in.claims.Attributes {
		key, ok := strings.CutPrefix(attr.Name, saml.AttrPrincipalTag)
		if !ok || len(attr.Values) == 0 {
			continue
		}
		if len(key) < 1 || len(key) > 128 || len(attr.Values[0]) > 256 {
			return invalidIdentityToken("Invalid session tag in AuthnResponse: %s", key)
		}
		in.tags = append(in.tags, creds.Tag{Key: key, Value: attr.Values[0]})
	}
	if len(in.tags) > 50 {
		return invalidIdentityToken("The number of session tags in AuthnResponse exceeds 50")
	}
	in.transitive = in.claims.Values(saml.AttrTransitiveTags)
	return nil
}

// NameQualifier is AWS's hash naming the provider's users uniquely:
// BASE64(SHA1(issuer + account + "/" + provider name)).
func nameQualifier(issuer, account, providerName string) string {
	sum := sha1.Sum([]byte(issuer + account + "/" + providerName))
	return base64.StdEncoding.EncodeToString(sum[:])
}

// authorizeSAML asks the engine, as the provider, for
// sts:AssumeRoleWithSAML and for sts:TagSession and sts:SetSourceIdentity
// when the assertion needs them.
func (s *Service) authorizeSAML(ctx context.Context, call *awsproto.Call, role store.Role, in *samlInput) (bool, error) {
	actions := []string{"sts:AssumeRoleWithSAML"}
	if len(in.tags) > 0 {
		actions = append(actions, "sts:TagSession")
	}
	if in.sourceIdentity != "" {
		actions = append(actions, "sts:SetSourceIdentity")
	}
	trust, err := s.gate.Compile(role.TrustPolicy, policy.Trust)
	if err != nil {
		return false, fmt.Errorf("trust policy of %s: %w", role.Name, err)
	}
	caller := &access.Caller{Principal: policy.Principal{Type: policy.PrincipalWebIdentity, Account: in.provider.Account, ARN: in.provider.ARN}}
	reqCtx := assumeContext(call.Context, &in.assumeRoleInput)
	reqCtx.Set("aws:FederatedProvider", in.provider.ARN)
	for k, v := range SAMLContext(in.claims, in.provider) {
		reqCtx.Set(k, v...)
	}
	for _, action := range actions {
		chk := access.Check{Action: action, Resource: access.RoleARN(role), ResourceAccount: role.Account,
			Context: reqCtx.Clone(), Trust: true, RequestID: call.RequestID,
			ResourcePolicy: &authz.Source{Name: role.Name + " trust policy", Policy: trust}}
		d, err := s.gate.Authorize(ctx, caller, chk)
		if err != nil {
			return false, err
		}
		if s.log.Enabled(ctx, slog.LevelDebug) {
			s.log.Debug("decision", "request_id", call.RequestID, "principal", caller.Principal.ARN,
				"action", action, "resource", chk.Resource, "effect", d.Effect.String(), "reason", d.Reason)
		}
		if d.Effect != authz.Allowed {
			return false, nil
		}
	}
	return true, nil
}

func (s *Service) mintSAML(role store.Role, in *samlInput) (any, *awsproto.Error) {
	now := s.gate.Now().UTC().Truncate(time.Second)
	sess := &creds.Session{
		AccessKeyID: creds.NewAccessKeyID(true), SecretAccessKey: creds.NewSecretKey(),
		Account: role.Account, Kind: creds.AssumedRole,
		RoleARN: access.RoleARN(role), RoleID: role.ID, SessionName: in.sessionName,
		SourceIdentity: in.sourceIdentity, Tags: in.tags, TransitiveTagKeys: in.transitive,
		SessionPolicy: in.sessionPolicy, PolicyARNs: in.policyARNs,
		IssuedAt: now, Expires: now.Add(time.Duration(in.duration) * time.Second),
	}
	token, err := s.gate.Sealer().Seal(sess)
	if err != nil {
		return nil, s.internal(err)
	}
	a := in.claims
	res := samlResult{
		Credentials: credentialsXML{AccessKeyID: sess.AccessKeyID, SecretAccessKey: sess.SecretAccessKey,
			SessionToken: token, Expiration: sess.Expires.Format(awsproto.Timestamp)},
		AssumedRoleUser: assumedRoleUser{AssumedRoleID: role.ID + ":" + in.sessionName,
			Arn: access.SessionARN(role.Account, role.Name, in.sessionName)},
		Subject: a.Subject, SubjectType: a.SubjectType(), Issuer: a.Issuer, Audience: a.Recipient,
		NameQualifier:  nameQualifier(a.Issuer, in.provider.Account, in.provider.Name),
		SourceIdentity: in.sourceIdentity,
	}
	if in.sessionPolicy != "" || len(in.policyARNs) > 0 || len(in.tags) > 0 {
		pct := packedPercent(&in.assumeRoleInput)
		res.PackedPolicySize = &pct
	}
	return res, nil
}
