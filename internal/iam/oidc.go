package iam

import (
	"context"
	"encoding/xml"
	"errors"
	"regexp"
	"slices"
	"strings"

	"github.com/sekisho/sekisho/internal/awsproto"
	"github.com/sekisho/sekisho/internal/oidc"
	"github.com/sekisho/sekisho/internal/store"
)

// OpenID Connect identity providers: one per issuer URL in an account,
// named by an ARN built from the URL without its scheme. STS verifies
// AssumeRoleWithWebIdentity tokens against them.

func (s *Service) oidcOperations() map[string]operation {
	return map[string]operation{
		"CreateOpenIDConnectProvider":             s.createOIDCProvider,
		"GetOpenIDConnectProvider":                s.getOIDCProvider,
		"ListOpenIDConnectProviders":              s.listOIDCProviders,
		"DeleteOpenIDConnectProvider":             s.deleteOIDCProvider,
		"AddClientIDToOpenIDConnectProvider":      s.addClientIDToOIDCProvider,
		"RemoveClientIDFromOpenIDConnectProvider": s.removeClientIDFromOIDCProvider,
		"UpdateOpenIDConnectProviderThumbprint":   s.updateOIDCThumbprints,
		"TagOpenIDConnectProvider":                s.tagOIDCProvider,
		"UntagOpenIDConnectProvider":              s.untagOIDCProvider,
		"ListOpenIDConnectProviderTags":           s.listOIDCProviderTags,
	}
}

// Limits from the IAM model and quotas.
const (
	maxClientID       = 255
	maxClientIDs      = 100
	maxThumbprints    = 5
	thumbprintLength  = 40
	oidcProviderParam = "OpenIDConnectProviderArn"
)

var thumbprintPattern = constraint{re: regexp.MustCompile(`^[0-9A-Fa-f]{40}$`), shown: `[0-9A-Fa-f]{40}`}

func noSuchOIDCProvider(arn string) *awsproto.Error {
	return noSuchEntity("OpenIDConnect Provider not found for arn %s", arn)
}

// accountOIDCProvider reads a provider of the account, NoSuchEntity otherwise.
func accountOIDCProvider(tx store.Tx, account, arn string) (store.OIDCProvider, error) {
	p, err := tx.GetOIDCProvider(arn)
	if errors.Is(err, store.ErrNotFound) || (err == nil && p.Account != account) {
		return store.OIDCProvider{}, noSuchOIDCProvider(arn)
	}
	return p, err
}

func (in *input) clientIDs(param string) []string {
	return in.list(param, false, 1, maxClientID, nil)
}

func (in *input) thumbprints(required bool) []string {
	return in.list("ThumbprintList", required, thumbprintLength, thumbprintLength, &thumbprintPattern)
}

func checkOIDCLists(clients, thumbs []string) *awsproto.Error {
	if len(thumbs) > maxThumbprints {
		return invalidInput("Thumbprint list must contain fewer than %d entries.", maxThumbprints)
	}
	if len(clients) > maxClientIDs {
		return limitExceeded("Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: %d", maxClientIDs)
	}
	return nil
}

type createOIDCProviderResult struct {
	XMLName                  xml.Name         `xml:"CreateOpenIDConnectProviderResult"`
	OpenIDConnectProviderArn string           `xml:"OpenIDConnectProviderArn"`
	Tags                     *members[tagXML] `xml:"Tags"`
}

func (s *Service) createOIDCProvider(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in := newInput(call.Params)
	issuer := in.text("Url", true, 1, oidc.MaxIssuerURL, nil)
	clients := in.clientIDs("ClientIDList")
	thumbs := in.thumbprints(false)
	tags := in.tags(false)
	if e := in.err(); e != nil {
		return nil, e
	}
	if !oidc.ValidIssuerURL(issuer) {
		return nil, awsproto.ValidationError("Invalid Open ID Connect Provider URL")
	}
	if e := checkOIDCLists(clients, thumbs); e != nil {
		return nil, e
	}
	if e := checkTagKeys(tags); e != nil {
		return nil, e
	}
	account := callerAccount(call)
	p := store.OIDCProvider{ARN: oidc.ProviderARN(account, issuer), Account: account, URL: issuer,
		ClientIDs: dedupe(clients), Thumbprints: dedupe(thumbs), Tags: tags, CreatedAt: s.gate.Now()}
	if e := s.authorize(ctx, call, account, p.ARN, tagContext(tags, nil)); e != nil {
		return nil, e
	}
	err := s.store.Update(ctx, func(tx store.Tx) error {
		return orExists(tx.CreateOIDCProvider(p), entityExists("Provider with url %s already exists.", issuer))
	})
	if e := s.txError(err); e != nil {
		return nil, e
	}
	return createOIDCProviderResult{OpenIDConnectProviderArn: p.ARN, Tags: optionalList(toTagsXML(tags))}, nil
}

// dedupe keeps the first of each value, in order.
func dedupe(v []string) []string {
	var out []string
	for _, s := range v {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// oidcCall reads the provider ARN and authorizes the call on it.
func (s *Service) oidcCall(ctx context.Context, call *awsproto.Call, in *input, extra map[string][]string) (string, *awsproto.Error) {
	arn := in.arn(oidcProviderParam, true)
	if e := in.err(); e != nil {
		return "", e
	}
	return arn, s.authorize(ctx, call, callerAccount(call), arn, extra)
}

// changeOIDCProvider applies change to the caller's provider in one transaction.
func (s *Service) changeOIDCProvider(ctx context.Context, call *awsproto.Call, arn string, change func(*store.OIDCProvider) *awsproto.Error) *awsproto.Error {
	account := callerAccount(call)
	err := s.store.Update(ctx, func(tx store.Tx) error {
		p, err := accountOIDCProvider(tx, account, arn)
		if err != nil {
			return err
		}
		if e := change(&p); e != nil {
			return e
		}
		return tx.UpdateOIDCProvider(p)
	})
	return s.txError(err)
}

func (s *Service) viewOIDCProvider(ctx context.Context, call *awsproto.Call, arn string) (store.OIDCProvider, *awsproto.Error) {
	p, err := store.Read(ctx, s.store, func(tx store.Tx) (store.OIDCProvider, error) {
		return accountOIDCProvider(tx, callerAccount(call), arn)
	})
	return p, s.txError(err)
}

type getOIDCProviderResult struct {
	XMLName        xml.Name         `xml:"GetOpenIDConnectProviderResult"`
	Url            string           `xml:"Url"`
	ClientIDList   members[string]  `xml:"ClientIDList"`
	ThumbprintList members[string]  `xml:"ThumbprintList"`
	CreateDate     string           `xml:"CreateDate"`
	Tags           *members[tagXML] `xml:"Tags"`
}

func (s *Service) getOIDCProvider(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	arn, e := s.oidcCall(ctx, call, newInput(call.Params), nil)
	if e != nil {
		return nil, e
	}
	p, e := s.viewOIDCProvider(ctx, call, arn)
	if e != nil {
		return nil, e
	}
	// AWS shows the URL without its scheme.
	return getOIDCProviderResult{Url: strings.TrimPrefix(p.URL, "https://"), ClientIDList: memberList(p.ClientIDs),
		ThumbprintList: memberList(p.Thumbprints), CreateDate: timestamp(p.CreatedAt), Tags: optionalList(toTagsXML(p.Tags))}, nil
}

type oidcProviderEntry struct {
	Arn string `xml:"Arn"`
}

type listOIDCProvidersResult struct {
	XMLName                   xml.Name                   `xml:"ListOpenIDConnectProvidersResult"`
	OpenIDConnectProviderList members[oidcProviderEntry] `xml:"OpenIDConnectProviderList"`
}

func (s *Service) listOIDCProviders(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	account := callerAccount(call)
	if e := s.authorize(ctx, call, account, "*", nil); e != nil {
		return nil, e
	}
	providers, err := store.Read(ctx, s.store, func(tx store.Tx) ([]store.OIDCProvider, error) { return tx.ListOIDCProviders(account) })
	if e := s.txError(err); e != nil {
		return nil, e
	}
	out := make([]oidcProviderEntry, 0, len(providers))
	for _, p := range providers {
		out = append(out, oidcProviderEntry{Arn: p.ARN})
	}
	return listOIDCProvidersResult{OpenIDConnectProviderList: memberList(out)}, nil
}

func (s *Service) deleteOIDCProvider(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	arn, e := s.oidcCall(ctx, call, newInput(call.Params), nil)
	if e != nil {
		return nil, e
	}
	account := callerAccount(call)
	err := s.store.Update(ctx, func(tx store.Tx) error {
		if _, err := accountOIDCProvider(tx, account, arn); err != nil {
			return err
		}
		return orNotFound(tx.DeleteOIDCProvider(arn), noSuchOIDCProvider(arn))
	})
	return nil, s.txError(err)
}

// addClientIDToOIDCProvider is idempotent, as AWS documents.
func (s *Service) addClientIDToOIDCProvider(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in := newInput(call.Params)
	client := in.text("ClientID", true, 1, maxClientID, nil)
	arn, e := s.oidcCall(ctx, call, in, nil)
	if e != nil {
		return nil, e
	}
	return nil, s.changeOIDCProvider(ctx, call, arn, func(p *store.OIDCProvider) *awsproto.Error {
		if slices.Contains(p.ClientIDs, client) {
			return nil
		}
		if len(p.ClientIDs) >= maxClientIDs {
			return limitExceeded("Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: %d", maxClientIDs)
		}
		p.ClientIDs = append(p.ClientIDs, client)
		return nil
	})
}

// removeClientIDFromOIDCProvider is idempotent, as AWS documents.
func (s *Service) removeClientIDFromOIDCProvider(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in := newInput(call.Params)
	client := in.text("ClientID", true, 1, maxClientID, nil)
	arn, e := s.oidcCall(ctx, call, in, nil)
	if e != nil {
		return nil, e
	}
	return nil, s.changeOIDCProvider(ctx, call, arn, func(p *store.OIDCProvider) *awsproto.Error {
		p.ClientIDs = slices.DeleteFunc(p.ClientIDs, func(c string) bool { return c == client })
		return nil
	})
}

func (s *Service) updateOIDCThumbprints(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in := newInput(call.Params)
	thumbs := in.thumbprints(true)
	arn, e := s.oidcCall(ctx, call, in, nil)
	if e != nil {
		return nil, e
	}
	if e := checkOIDCLists(nil, thumbs); e != nil {
		return nil, e
	}
	return nil, s.changeOIDCProvider(ctx, call, arn, func(p *store.OIDCProvider) *awsproto.Error {
		p.Thumbprints = dedupe(thumbs)
		return nil
	})
}

func (s *Service) tagOIDCProvider(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in := newInput(call.Params)
	in.arn(oidcProviderParam, true) // validated with the tags, in the model's order
	edit, e := readTagEdit(in, "OpenIDConnectProvider")
	if e != nil {
		return nil, e
	}
	return nil, s.editOIDCTags(ctx, call, in, edit)
}

func (s *Service) untagOIDCProvider(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in := newInput(call.Params)
	in.arn(oidcProviderParam, true) // validated with the tags, in the model's order
	edit, e := readUntagEdit(in)
	if e != nil {
		return nil, e
	}
	return nil, s.editOIDCTags(ctx, call, in, edit)
}

// editOIDCTags authorizes a tag change on an OIDC provider and applies it.
func (s *Service) editOIDCTags(ctx context.Context, call *awsproto.Call, in *input, edit tagEdit) *awsproto.Error {
	arn, e := s.oidcCall(ctx, call, in, edit.keys)
	if e != nil {
		return e
	}
	return s.changeOIDCProvider(ctx, call, arn, func(p *store.OIDCProvider) *awsproto.Error {
		tags, e := edit.change(p.Tags)
		p.Tags = tags
		return e
	})
}

func (s *Service) listOIDCProviderTags(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in := newInput(call.Params)
	req := in.pageRequest()
	arn, e := s.oidcCall(ctx, call, in, nil)
	if e != nil {
		return nil, e
	}
	p, e := s.viewOIDCProvider(ctx, call, arn)
	if e != nil {
		return nil, e
	}
	return tagsPage(call, p.Tags, req)
}
