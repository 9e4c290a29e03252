package iam

import (
	"context"
	"crypto/rand"
	"encoding/xml"
	"errors"
	"fmt"
	"regexp"

	"github.com/sekisho/sekisho/internal/awsproto"
	"github.com/sekisho/sekisho/internal/saml"
	"github.com/sekisho/sekisho/internal/store"
)

// SAML identity providers: a metadata document whose signing certificates
// STS verifies AssumeRoleWithSAML responses against.

func (s *Service) samlOperations() map[string]operation {
	return map[string]operation{
		"CreateSAMLProvider":   s.createSAMLProvider,
		"GetSAMLProvider":      s.getSAMLProvider,
		"ListSAMLProviders":    s.listSAMLProviders,
		"UpdateSAMLProvider":   s.updateSAMLProvider,
		"DeleteSAMLProvider":   s.deleteSAMLProvider,
		"TagSAMLProvider":      s.tagSAMLProvider,
		"UntagSAMLProvider":    s.untagSAMLProvider,
		"ListSAMLProviderTags": s.listSAMLProviderTags,
	}
}

// Limits from the model and the IAM quotas.
const (
	maxSAMLProviderName = 128
	minSAMLMetadata     = 1000
	maxSAMLMetadata     = 10000000
	maxSAMLProviders    = 100 // per account
)

var samlNamePattern = constraint{re: regexp.MustCompile(`^[\w._-]+$`), shown: `[\w._-]+`}

// SAMLProviderARN is the ARN of the account's provider with this name.
func SAMLProviderARN(account, name string) string {
	return "arn:aws:iam::" + account + ":saml-provider/" + name
}

func noSuchSAMLProvider(arn string) *awsproto.Error {
	return noSuchEntity("Manifest not found for arn %s", arn)
}

// parseSAMLMetadata parses a SAMLMetadataDocument: a document IAM cannot
// read is InvalidInput, as AWS answers it, never an internal error.
func parseSAMLMetadata(doc string) (*saml.Metadata, *awsproto.Error) {
	md, err := saml.ParseMetadata(doc)
	if err != nil {
		return nil, invalidInput("Could not parse metadata")
	}
	return md, nil
}

func newProviderUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand does not fail on supported platforms
	b[6], b[8] = b[6]&0x0f|0x40, b[8]&0x3f|0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

type createSAMLProviderResult struct {
	XMLName         xml.Name         `xml:"CreateSAMLProviderResult"`
	SAMLProviderArn string           `xml:"SAMLProviderArn"`
	Tags            *members[tagXML] `xml:"Tags"`
}

func (s *Service) createSAMLProvider(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in := newInput(call.Params)
	name := in.text("Name", true, 1, maxSAMLProviderName, &samlNamePattern)
	tags := in.tags(false)
	doc := in.text("SAMLMetadataDocument", true, minSAMLMetadata, maxSAMLMetadata, nil)
	if e := in.err(); e != nil {
		return nil, e
	}
	if e := checkTagKeys(tags); e != nil {
		return nil, e
	}
	md, e := parseSAMLMetadata(doc)
	if e != nil {
		return nil, e
	}
	account := callerAccount(call)
	p := store.SAMLProvider{ARN: SAMLProviderARN(account, name), Account: account, Name: name, UUID: newProviderUUID(),
		Metadata: doc, ValidUntil: md.ValidUntil, Tags: tags, CreatedAt: s.gate.Now()}
	if e := s.authorize(ctx, call, account, p.ARN, tagContext(tags, nil)); e != nil {
		return nil, e
	}
	err := s.store.Update(ctx, func(tx store.Tx) error {
		all, err := tx.ListSAMLProviders(account)
		if err != nil {
			return err
		}
		if len(all) >= maxSAMLProviders {
			return limitExceeded("Cannot exceed quota for SAMLProvidersPerAccount: %d", maxSAMLProviders)
		}
		return orExists(tx.CreateSAMLProvider(p), entityExists("SAMLProvider %s already exists.", name))
	})
	if e := s.txError(err); e != nil {
		return nil, e
	}
	return createSAMLProviderResult{SAMLProviderArn: p.ARN, Tags: optionalList(toTagsXML(tags))}, nil
}

// accountSAMLProvider reads a provider of the account, NoSuchEntity otherwise.
func accountSAMLProvider(tx store.Tx, account, arn string) (store.SAMLProvider, error) {
	p, err := tx.GetSAMLProvider(arn)
	if errors.Is(err, store.ErrNotFound) || (err == nil && p.Account != account) {
		return store.SAMLProvider{}, noSuchSAMLProvider(arn)
	}
	return p, err
}

// samlProviderCall reads SAMLProviderArn and authorizes the call on it.
func (s *Service) samlProviderCall(ctx context.Context, call *awsproto.Call, in *input, extra map[string][]string) (string, *awsproto.Error) {
	arn := in.arn("SAMLProviderArn", true)
	if e := in.err(); e != nil {
		return "", e
	}
	return arn, s.authorize(ctx, call, callerAccount(call), arn, extra)
}

// readSAMLProvider authorizes the call and reads the provider.
func (s *Service) readSAMLProvider(ctx context.Context, call *awsproto.Call, in *input) (store.SAMLProvider, *awsproto.Error) {
	arn, e := s.samlProviderCall(ctx, call, in, nil)
	if e != nil {
		return store.SAMLProvider{}, e
	}
	p, err := store.Read(ctx, s.store, func(tx store.Tx) (store.SAMLProvider, error) {
		return accountSAMLProvider(tx, callerAccount(call), arn)
	})
	return p, s.txError(err)
}

type getSAMLProviderResult struct {
	XMLName              xml.Name         `xml:"GetSAMLProviderResult"`
	SAMLProviderUUID     string           `xml:"SAMLProviderUUID"`
	SAMLMetadataDocument string           `xml:"SAMLMetadataDocument"`
	CreateDate           string           `xml:"CreateDate"`
	ValidUntil           string           `xml:"ValidUntil,omitempty"`
	Tags                 *members[tagXML] `xml:"Tags"`
}

func (s *Service) getSAMLProvider(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in := newInput(call.Params)
	p, e := s.readSAMLProvider(ctx, call, in)
	if e != nil {
		return nil, e
	}
	return getSAMLProviderResult{SAMLProviderUUID: p.UUID, SAMLMetadataDocument: p.Metadata, CreateDate: timestamp(p.CreatedAt),
		ValidUntil: optionalTimestamp(p.ValidUntil), Tags: optionalList(toTagsXML(p.Tags))}, nil
}

type samlProviderListEntryXML struct {
	Arn        string `xml:"Arn"`
	ValidUntil string `xml:"ValidUntil,omitempty"`
	CreateDate string `xml:"CreateDate"`
}

type listSAMLProvidersResult struct {
	XMLName          xml.Name                          `xml:"ListSAMLProvidersResult"`
	SAMLProviderList members[samlProviderListEntryXML] `xml:"SAMLProviderList"`
}

// listSAMLProviders lists every provider of the account (AWS does not page it).
func (s *Service) listSAMLProviders(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	account := callerAccount(call)
	if e := s.authorize(ctx, call, account, "*", nil); e != nil {
		return nil, e
	}
	all, err := store.Read(ctx, s.store, func(tx store.Tx) ([]store.SAMLProvider, error) { return tx.ListSAMLProviders(account) })
	if e := s.txError(err); e != nil {
		return nil, e
	}
	out := convertAll(all, func(p store.SAMLProvider) samlProviderListEntryXML {
		return samlProviderListEntryXML{Arn: p.ARN, ValidUntil: optionalTimestamp(p.ValidUntil), CreateDate: timestamp(p.CreatedAt)}
	})
	return listSAMLProvidersResult{SAMLProviderList: memberList(out)}, nil
}

type updateSAMLProviderResult struct {
	XMLName         xml.Name `xml:"UpdateSAMLProviderResult"`
	SAMLProviderArn string   `xml:"SAMLProviderArn"`
}

func (s *Service) updateSAMLProvider(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in := newInput(call.Params)
	doc := in.text("SAMLMetadataDocument", true, minSAMLMetadata, maxSAMLMetadata, nil)
	arn, e := s.samlProviderCall(ctx, call, in, nil)
	if e != nil {
		return nil, e
	}
	md, e := parseSAMLMetadata(doc)
	if e != nil {
		return nil, e
	}
	var stored string
	err := s.store.Update(ctx, func(tx store.Tx) error {
		p, err := accountSAMLProvider(tx, callerAccount(call), arn)
		if err != nil {
			return err
		}
		p.Metadata, p.ValidUntil, stored = doc, md.ValidUntil, p.ARN
		return tx.UpdateSAMLProvider(p)
	})
	if e := s.txError(err); e != nil {
		return nil, e
	}
	return updateSAMLProviderResult{SAMLProviderArn: stored}, nil
}

func (s *Service) deleteSAMLProvider(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in := newInput(call.Params)
	arn, e := s.samlProviderCall(ctx, call, in, nil)
	if e != nil {
		return nil, e
	}
	err := s.store.Update(ctx, func(tx store.Tx) error {
		p, err := accountSAMLProvider(tx, callerAccount(call), arn)
		if err != nil {
			return err
		}
		return orNotFound(tx.DeleteSAMLProvider(p.ARN), noSuchSAMLProvider(arn))
	})
	return nil, s.txError(err)
}

func (s *Service) tagSAMLProvider(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in := newInput(call.Params)
	in.arn("SAMLProviderArn", true) // validated with the tags, in the model's order
	edit, e := readTagEdit(in, "SAMLProvider")
	if e != nil {
		return nil, e
	}
	return nil, s.updateSAMLTags(ctx, call, in, edit)
}

func (s *Service) untagSAMLProvider(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in := newInput(call.Params)
	in.arn("SAMLProviderArn", true) // validated with the tags, in the model's order
	edit, e := readUntagEdit(in)
	if e != nil {
		return nil, e
	}
	return nil, s.updateSAMLTags(ctx, call, in, edit)
}

func (s *Service) updateSAMLTags(ctx context.Context, call *awsproto.Call, in *input, edit tagEdit) *awsproto.Error {
	arn, e := s.samlProviderCall(ctx, call, in, edit.keys)
	if e != nil {
		return e
	}
	err := s.store.Update(ctx, func(tx store.Tx) error {
		p, err := accountSAMLProvider(tx, callerAccount(call), arn)
		if err != nil {
			return err
		}
		tags, e := edit.change(p.Tags)
		if e != nil {
			return e
		}
		p.Tags = tags
		return tx.UpdateSAMLProvider(p)
	})
	return s.txError(err)
}

func (s *Service) listSAMLProviderTags(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in := newInput(call.Params)
	req := in.pageRequest()
	p, e := s.readSAMLProvider(ctx, call, in)
	if e != nil {
		return nil, e
	}
	return tagsPage(call, p.Tags, req)
}
