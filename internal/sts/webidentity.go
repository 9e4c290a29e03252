package sts

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/sekisho/sekisho/internal/access"
	"github.com/sekisho/sekisho/internal/awsproto"
	"github.com/sekisho/sekisho/internal/creds"
	"github.com/sekisho/sekisho/internal/oidc"
	"github.com/sekisho/sekisho/internal/policy"
	"github.com/sekisho/sekisho/internal/store"
)

// servedUnsigned lists the STS operations that take their caller from a
// token in the request rather than from a signature.
func servedUnsigned(action string) bool {
	return action == "AssumeRoleWithWebIdentity" || action == "AssumeRoleWithSAML"
}

// Claims AWS reads session tags and the source identity from.
const (
	tagsClaim           = "https://aws.amazon.com/tags"
	sourceIdentityClaim = "https://aws.amazon.com/source_identity"
)

// webIdentityInput is AssumeRoleWithWebIdentity's validated parameters.
type webIdentityInput struct {
	assumeRoleInput
	token, providerID string
}

func parseWebIdentity(p awsproto.Params) (*webIdentityInput, *awsproto.Error) {
	in := &webIdentityInput{}
	var e *awsproto.Error
	if in.roleARN, e = p.Required("RoleArn"); e != nil {
		return nil, e
	}
	if in.sessionName, e = p.Required("RoleSessionName"); e != nil {
		return nil, e
	}
	if in.token, e = p.Required("WebIdentityToken"); e != nil {
		return nil, e
	}
	if n := len(in.roleARN); n < 20 || n > 2048 {
		return nil, validationError(in.roleARN, "roleArn", "Member must have length greater than or equal to 20")
	}
	if n := len(in.sessionName); n < 2 || n > 64 || !sessionNamePattern.MatchString(in.sessionName) {
		return nil, validationError(in.sessionName, "roleSessionName", `Member must satisfy regular expression pattern: [\w+=,.@-]*`)
	}
	if n := len(in.token); n < 4 || n > oidc.MaxTokenSize {
		return nil, validationError("***", "webIdentityToken", fmt.Sprintf("Member must have length less than or equal to %d", oidc.MaxTokenSize))
	}
	if p.Has("ProviderId") {
		// Only OAuth 2.0 access tokens name their provider here; Sekisho
		// verifies OpenID Connect ID tokens, whose iss names it.
		in.providerID = p.Get("ProviderId")
		if n := len(in.providerID); n < 4 || n > 2048 {
			return nil, validationError(in.providerID, "providerId", "Member must have length greater than or equal to 4")
		}
	}
	in.durationGiven = p.Has("DurationSeconds")
	if in.duration, e = p.Int("DurationSeconds", 3600); e != nil {
		return nil, e
	}
	if in.duration < 900 || in.duration > 43200 {
		return nil, validationError(fmt.Sprint(in.duration), "durationSeconds", "Member must have value greater than or equal to 900 and less than or equal to 43200")
	}
	// Only the session policies apply: tags and the source identity
	// come from the token, MFA does not exist here.
	extras := &assumeRoleInput{}
	if e := parseSessionExtras(p, extras); e != nil {
		return nil, e
	}
	in.sessionPolicy, in.policyARNs = extras.sessionPolicy, extras.policyARNs
	return in, nil
}

func invalidIdentityToken(format string, args ...any) *awsproto.Error {
	return awsproto.Errorf(http.StatusBadRequest, "InvalidIdentityToken", format, args...)
}

func idpRejectedClaim(format string, args ...any) *awsproto.Error {
	return awsproto.Errorf(http.StatusForbidden, "IDPRejectedClaim", format, args...)
}

type webIdentityResult struct {
	XMLName                     xml.Name        `xml:"AssumeRoleWithWebIdentityResult"`
	Credentials                 credentialsXML  `xml:"Credentials"`
	SubjectFromWebIdentityToken string          `xml:"SubjectFromWebIdentityToken"`
	AssumedRoleUser             assumedRoleUser `xml:"AssumedRoleUser"`
	PackedPolicySize            *int            `xml:"PackedPolicySize,omitempty"`
	Provider                    string          `xml:"Provider"`
	Audience                    string          `xml:"Audience"`
	SourceIdentity              string          `xml:"SourceIdentity,omitempty"`
}

// verifiedToken is a token whose signature, times and audience checked
// out against its provider.
type verifiedToken struct {
	claims   *oidc.Claims
	provider store.OIDCProvider
	audience string
}

func (s *Service) assumeRoleWithWebIdentity(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in, e := parseWebIdentity(call.Params)
	if e != nil {
		return nil, e
	}
	denied := awsproto.AccessDenied("Not authorized to perform sts:AssumeRoleWithWebIdentity")
	role, found, err := s.findRole(ctx, in.roleARN)
	if err != nil {
		return nil, s.internal(err)
	}
	if !found {
		return nil, denied
	}
	tok, e := s.verifyWebIdentity(ctx, role.Account, in.token)
	if e != nil {
		return nil, e
	}
	if e := claimSessionExtras(tok.claims, in); e != nil {
		return nil, e
	}
	if e := s.checkSessionPolicy(&in.assumeRoleInput); e != nil {
		return nil, e
	}
	if e := checkWebDuration(in, role); e != nil {
		return nil, e
	}
	caller := &access.Caller{Principal: policy.Principal{Type: policy.PrincipalWebIdentity, ARN: tok.provider.ARN}}
	federated := *call
	federated.Caller = caller
	federated.Context = webIdentityContext(call.Context, tok)
	if ok, err := s.authorizeWebIdentity(ctx, &federated, role, &in.assumeRoleInput); err != nil {
		return nil, s.internal(err)
	} else if !ok {
		return nil, denied
	}
	minted, e := s.mint(&federated, role, &in.assumeRoleInput, nil)
	if e != nil {
		return nil, e
	}
	res := minted.(assumeRoleResult)
	return webIdentityResult{Credentials: res.Credentials, SubjectFromWebIdentityToken: tok.claims.Subject,
		AssumedRoleUser: res.AssumedRoleUser, PackedPolicySize: res.PackedPolicySize, Provider: tok.provider.ARN,
		Audience: tok.audience, SourceIdentity: res.SourceIdentity}, nil
}

// verifyWebIdentity finds the token's provider in the role's account (by
// the token's iss) and checks the token against it: signature with the
// provider's keys, exp/nbf/iat, and an audience among its client ids.
func (s *Service) verifyWebIdentity(ctx context.Context, account, token string) (*verifiedToken, *awsproto.Error) {
	iss, err := oidc.Peek(token)
	if err != nil {
		return nil, invalidIdentityToken("The ID token provided is not a valid JWT")
	}
	issuerURL := iss
	if !strings.HasPrefix(issuerURL, "https://") {
		issuerURL = "https://" + issuerURL
	}
	arn := oidc.ProviderARN(account, issuerURL)
	entry, err := s.providers.lookup(ctx, s.store, arn)
	if err != nil {
		return nil, s.internal(err)
	}
	if !entry.found {
		return nil, invalidIdentityToken("No OpenIDConnect provider found in your account for %s", iss)
	}
	provider := entry.provider
	keys := entry.keys
	if keys == nil {
		var e *awsproto.Error
		if keys, e = s.providerKeys(ctx, provider); e != nil {
			return nil, e
		}
		entry.keys = keys
		s.providers.remember(ctx, s.store, arn, entry)
	}
	claims, err := oidc.Verify(token, keys)
	if errors.Is(err, oidc.ErrNoKey) {
		return nil, invalidIdentityToken("Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements")
	} else if err != nil {
		s.log.Debug("web identity token refused", "provider", provider.ARN, "err", err)
		return nil, invalidIdentityToken("The web identity token's signature could not be verified with the keys of its provider")
	}
	if err := claims.CheckTime(s.gate.Now()); errors.Is(err, oidc.ErrExpired) {
		msg, _ := strings.CutPrefix(err.Error(), oidc.ErrExpired.Error()+": ")
		return nil, awsproto.Errorf(http.StatusBadRequest, "ExpiredTokenException", "Token expired: %s", msg)
	} else if err != nil {
		return nil, invalidIdentityToken("The web identity token is not valid yet")
	}
	audience, ok := matchAudience(claims, provider.ClientIDs)
	if !ok {
		return nil, invalidIdentityToken("Incorrect token audience")
	}
	return &verifiedToken{claims: claims, provider: provider, audience: audience}, nil
}

// providerKeys are the provider's configured keys, or the built-in
// issuer's when the provider is for one.
func (s *Service) providerKeys(ctx context.Context, p store.OIDCProvider) (*jose.JSONWebKeySet, *awsproto.Error) {
	if p.JWKS != "" {
		keys, err := oidc.ParseKeySet(p.JWKS)
		if err != nil {
			s.log.Warn("provider keys unreadable", "provider", p.ARN, "err", err)
			return &jose.JSONWebKeySet{}, nil
		}
		return keys, nil
	}
	keys, builtin, err := s.issuers.KeySet(ctx, p.URL)
	if err != nil {
		return nil, s.internal(err)
	}
	if !builtin {
		return &jose.JSONWebKeySet{}, nil
	}
	return keys, nil
}

// matchAudience returns the token's audience that is one of the
// provider's client ids: azp when the token has one, else an aud value.
func matchAudience(c *oidc.Claims, clientIDs []string) (string, bool) {
	candidates := c.Audience
	if c.AZP != "" {
		candidates = []string{c.AZP}
	}
	for _, a := range candidates {
		if slices.Contains(clientIDs, a) {
			return a, true
		}
	}
	return "", false
}

// claimSessionExtras reads session tags and the source identity from the
// token's AWS claims.
func claimSessionExtras(c *oidc.Claims, in *webIdentityInput) *awsproto.Error {
	if v, ok := c.Raw[sourceIdentityClaim]; ok {
		si, isString := v.(string)
		if !isString || len(si) < 2 || len(si) > 64 || !sessionNamePattern.MatchString(si) || strings.HasPrefix(strings.ToLower(si), "aws:") {
			return idpRejectedClaim("The %s claim is not a valid source identity", sourceIdentityClaim)
		}
		in.sourceIdentity = si
	}
	raw, ok := c.Raw[tagsClaim]
	if !ok {
		return nil
	}
	tags, ok := raw.(map[string]any)
	if !ok {
		return idpRejectedClaim("The %s claim must be an object", tagsClaim)
	}
	principal, _ := tags["principal_tags"].(map[string]any)
	keys := make([]string, 0, len(principal))
	for k := range principal {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		value, ok := tagValue(principal[k])
		if !ok || len(k) < 1 || len(k) > 128 || len(value) > 256 {
			return idpRejectedClaim("The session tag %q in the %s claim is not valid", k, tagsClaim)
		}
		in.tags = append(in.tags, creds.Tag{Key: k, Value: value})
	}
	if len(in.tags) > 50 {
		return idpRejectedClaim("The %s claim holds more than 50 session tags", tagsClaim)
	}
	if transitive, ok := tags["transitive_tag_keys"].([]any); ok {
		for _, t := range transitive {
			if k, ok := t.(string); ok {
				in.transitive = append(in.transitive, k)
			}
		}
	}
	return nil
}

// tagValue reads a principal_tags value: AWS's form is a one-element list.
func tagValue(v any) (string, bool) {
	switch t := v.(type) {
	case string:
		return t, true
	case []any:
		if len(t) == 1 {
			s, ok := t[0].(string)
			return s, ok
		}
	}
	return "", false
}

func checkWebDuration(in *webIdentityInput, role store.Role) *awsproto.Error {
	maxDuration := role.MaxSessionDuration
	if maxDuration == 0 {
		maxDuration = 3600
	}
	if in.duration > maxDuration {
		return awsproto.ValidationError("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	}
	return nil
}

// webIdentityContext adds the provider's condition keys: HOST/PATH:sub,
// :aud (azp when present), :oaud (aud when azp is present), :amr.
func webIdentityContext(base *policy.Context, tok *verifiedToken) *policy.Context {
	ctx := base.Clone()
	prefix := strings.TrimPrefix(tok.provider.URL, "https://") + ":"
	c := tok.claims
	ctx.Set(prefix+"sub", c.Subject)
	if c.AZP != "" {
		ctx.Set(prefix+"aud", c.AZP)
		ctx.Set(prefix+"oaud", c.Audience...)
	} else {
		ctx.Set(prefix+"aud", c.Audience...)
	}
	if len(c.AMR) > 0 {
		ctx.Set(prefix+"amr", c.AMR...)
	}
	ctx.Set("aws:FederatedProvider", tok.provider.ARN)
	return ctx
}

// authorizeWebIdentity asks the engine for sts:AssumeRoleWithWebIdentity,
// and for sts:TagSession and sts:SetSourceIdentity when the token needs
// them, against the role's trust policy.
func (s *Service) authorizeWebIdentity(ctx context.Context, call *awsproto.Call, role store.Role, in *assumeRoleInput) (bool, error) {
	actions := []string{"sts:AssumeRoleWithWebIdentity"}
	if len(in.tags) > 0 {
		actions = append(actions, "sts:TagSession")
	}
	if in.sourceIdentity != "" {
		actions = append(actions, "sts:SetSourceIdentity")
	}
	return s.authorizeTrust(ctx, call, role, in, actions)
}
