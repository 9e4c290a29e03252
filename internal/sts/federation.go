package sts

import (
	"context"
	"encoding/xml"
	"fmt"
	"regexp"
	"time"

	"github.com/sekisho/sekisho/internal/access"
	"github.com/sekisho/sekisho/internal/authz"
	"github.com/sekisho/sekisho/internal/awsproto"
	"github.com/sekisho/sekisho/internal/creds"
	"github.com/sekisho/sekisho/internal/policy"
)

// GetFederationToken's limits (STS API reference).
const (
	federationDefaultDuration = 43200
	federationMaxDuration     = 129600
	rootSessionMaxDuration    = 3600
)

var federatedNamePattern = regexp.MustCompile(`^[\w+=,.@-]*$`)

type federatedUser struct {
	FederatedUserID string `xml:"FederatedUserId"`
	Arn             string `xml:"Arn"`
}

type federationTokenResult struct {
	XMLName          xml.Name       `xml:"GetFederationTokenResult"`
	Credentials      credentialsXML `xml:"Credentials"`
	FederatedUser    federatedUser  `xml:"FederatedUser"`
	PackedPolicySize *int           `xml:"PackedPolicySize,omitempty"`
}

// parseFederation validates GetFederationToken's parameters; the session
// policy, policy ARNs and tags share AssumeRole's rules.
func parseFederation(p awsproto.Params) (name string, duration int, in *assumeRoleInput, e *awsproto.Error) {
	if name, e = p.Required("Name"); e != nil {
		return "", 0, nil, e
	}
	if n := len(name); n < 2 || n > 32 {
		return "", 0, nil, validationError(name, "name", "Member must have length less than or equal to 32")
	}
	if !federatedNamePattern.MatchString(name) {
		return "", 0, nil, validationError(name, "name", `Member must satisfy regular expression pattern: [\w+=,.@-]*`)
	}
	if duration, e = p.Int("DurationSeconds", federationDefaultDuration); e != nil {
		return "", 0, nil, e
	}
	if duration < 900 || duration > federationMaxDuration {
		return "", 0, nil, validationError(fmt.Sprint(duration), "durationSeconds", "Member must have value greater than or equal to 900 and less than or equal to 129600")
	}
	in = &assumeRoleInput{}
	if e = parseSessionExtras(p, in); e != nil {
		return "", 0, nil, e
	}
	return name, duration, in, nil
}

// getFederationToken mints a federated-user session for the calling IAM
// user (or root): its permissions are the user's intersected with the
// session policies passed, and none at all when none is passed.
func (s *Service) getFederationToken(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	c := call.Caller
	if c.Temporary() {
		return nil, awsproto.AccessDenied("Cannot call GetFederationToken with session credentials")
	}
	name, duration, in, e := parseFederation(call.Params)
	if e != nil {
		return nil, e
	}
	if e := s.checkSessionPolicy(in); e != nil {
		return nil, e
	}
	account := c.Principal.Account
	fedARN := access.FederatedUserARN(account, name)
	if e := s.authorizeFederation(ctx, call, fedARN, in); e != nil {
		return nil, e
	}
	if c.Principal.Type == policy.PrincipalRoot {
		duration = min(duration, rootSessionMaxDuration)
	}
	now := s.gate.Now().UTC().Truncate(time.Second)
	sess := &creds.Session{
		AccessKeyID: creds.NewAccessKeyIDFor(true, account), SecretAccessKey: creds.NewSecretKey(),
		Account: account, Kind: creds.FederatedUser, SessionName: name,
		UserARN: c.Principal.ARN, UserID: c.UserID, Tags: in.tags,
		SessionPolicy: in.sessionPolicy, PolicyARNs: in.policyARNs,
		IssuedAt: now, Expires: now.Add(time.Duration(duration) * time.Second),
	}
	token, err := s.gate.Sealer().Seal(sess)
	if err != nil {
		return nil, s.internal(err)
	}
	res := federationTokenResult{
		Credentials: credentialsXML{AccessKeyID: sess.AccessKeyID, SecretAccessKey: sess.SecretAccessKey,
			SessionToken: token, Expiration: sess.Expires.Format(awsproto.Timestamp)},
		FederatedUser: federatedUser{FederatedUserID: account + ":" + name, Arn: fedARN},
	}
	if in.sessionPolicy != "" || len(in.policyARNs) > 0 || len(in.tags) > 0 {
		pct := packedPercent(in)
		res.PackedPolicySize = &pct
	}
	return res, nil
}

// authorizeFederation asks for sts:GetFederationToken on the federated
// user's ARN, and sts:TagSession when tags are passed.
func (s *Service) authorizeFederation(ctx context.Context, call *awsproto.Call, fedARN string, in *assumeRoleInput) *awsproto.Error {
	actions := []string{"sts:GetFederationToken"}
	if len(in.tags) > 0 {
		actions = append(actions, "sts:TagSession")
	}
	for _, action := range actions {
		reqCtx := call.Context.Clone()
		if len(in.tags) > 0 {
			keys := make([]string, 0, len(in.tags))
			for _, t := range in.tags {
				reqCtx.Set("aws:RequestTag/"+t.Key, t.Value)
				keys = append(keys, t.Key)
			}
			reqCtx.Set("aws:TagKeys", keys...)
		}
		d, err := s.gate.Authorize(ctx, call.Caller, access.Check{Action: action, Resource: fedARN,
			Context: reqCtx, RequestID: call.RequestID})
		if err != nil {
			return s.internal(err)
		}
		if d.Effect != authz.Allowed {
			return awsproto.AccessDenied(d.Message())
		}
	}
	return nil
}
