package iam

import (
	"context"
	"encoding/xml"
	"errors"
	"strings"

	"github.com/sekisho/sekisho/internal/awsproto"
	"github.com/sekisho/sekisho/internal/policy"
	"github.com/sekisho/sekisho/internal/store"
)

// Inline policies are embedded in one user, group or role. Their total
// size per entity is limited (2,048 / 5,120 / 10,240 characters without
// white space), rather than each document's.

func (s *Service) inlineOperations() map[string]operation {
	ops := map[string]operation{}
	for _, k := range []principalKind{userKind, groupKind, roleKind} {
		ops["Put"+k.quota+"Policy"] = s.putInline(k)
		ops["Get"+k.quota+"Policy"] = s.getInline(k)
		ops["List"+k.quota+"Policies"] = s.listInline(k)
		ops["Delete"+k.quota+"Policy"] = s.deleteInline(k)
	}
	return ops
}

func (k principalKind) label() string { return strings.ToLower(k.quota) }

func (k principalKind) sizeExceeded(entity string) *awsproto.Error {
	return limitExceeded("Maximum policy size of %d bytes exceeded for %s %s", k.inlineLimit, k.label(), entity)
}

func (k principalKind) noSuchInline(name string) *awsproto.Error {
	return noSuchEntity("The %s policy with name %s cannot be found.", k.label(), name)
}

// policySize counts a document as IAM does for quotas: without white space.
func policySize(doc string) int {
	n := 0
	for _, r := range doc {
		if r != ' ' && r != '\t' && r != '\n' && r != '\r' {
			n++
		}
	}
	return n
}

// readInline reads the entity's name and PolicyName and authorizes the call.
func (s *Service) readInline(ctx context.Context, call *awsproto.Call, k principalKind) (entity, name string, e *awsproto.Error) {
	in := newInput(call.Params)
	entity = in.name(k.param, k.inlineMaxName)
	name = in.name("PolicyName", maxLookupName)
	if e := in.err(); e != nil {
		return "", "", e
	}
	return entity, name, s.authorizeOn(ctx, call, k.resource, entity, nil)
}

// putInline creates or replaces an inline policy.
func (s *Service) putInline(k principalKind) operation {
	return func(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
		in := newInput(call.Params)
		entity := in.name(k.param, k.inlineMaxName)
		name := in.name("PolicyName", maxLookupName)
		doc := in.document("PolicyDocument", true)
		if e := in.err(); e != nil {
			return nil, e
		}
		parsed, err := policy.ParseWithOptions(doc, policy.Identity, policy.Options{MaxSize: k.inlineLimit})
		var pe *policy.Error
		if errors.As(err, &pe) && pe.ErrorCode() == policy.CodeLimitExceeded {
			return nil, k.sizeExceeded(entity)
		} else if err != nil {
			return nil, documentError(err)
		}
		if e := s.authorizeOn(ctx, call, k.resource, entity, nil); e != nil {
			return nil, e
		}
		account := callerAccount(call)
		return nil, s.txError(s.store.Update(ctx, func(tx store.Tx) error {
			stored, err := getEntity(tx, account, k.resource, entity)
			if err != nil {
				return err
			}
			existing, err := tx.ListInlinePolicies(account, k.store(), stored)
			if err != nil {
				return err
			}
			total := parsed.Size
			for _, p := range existing {
				if !strings.EqualFold(p.Name, name) {
					total += policySize(p.Document)
				}
			}
			if total > k.inlineLimit {
				return k.sizeExceeded(stored)
			}
			return tx.PutInlinePolicy(store.InlinePolicy{Account: account, Kind: k.store(), Entity: stored, Name: name, Document: doc})
		}))
	}
}

// getInlineResult is Get{User,Group,Role}PolicyResult: one of the entity
// name fields is set.
type getInlineResult struct {
	XMLName        xml.Name
	UserName       string `xml:"UserName,omitempty"`
	GroupName      string `xml:"GroupName,omitempty"`
	RoleName       string `xml:"RoleName,omitempty"`
	PolicyName     string `xml:"PolicyName"`
	PolicyDocument string `xml:"PolicyDocument"`
}

func (s *Service) getInline(k principalKind) operation {
	return func(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
		entity, name, e := s.readInline(ctx, call, k)
		if e != nil {
			return nil, e
		}
		var p store.InlinePolicy
		err := s.store.View(ctx, func(tx store.Tx) error {
			stored, err := getEntity(tx, callerAccount(call), k.resource, entity)
			if err != nil {
				return err
			}
			p, err = tx.GetInlinePolicy(callerAccount(call), k.store(), stored, name)
			return orNotFound(err, k.noSuchInline(name))
		})
		if e := s.txError(err); e != nil {
			return nil, e
		}
		out := getInlineResult{XMLName: xml.Name{Local: call.Action + "Result"}, PolicyName: p.Name, PolicyDocument: encodeDocument(p.Document)}
		switch k.resource {
		case userResource:
			out.UserName = p.Entity
		case groupResource:
			out.GroupName = p.Entity
		default:
			out.RoleName = p.Entity
		}
		return out, nil
	}
}

type listInlineResult struct {
	XMLName     xml.Name
	PolicyNames members[string] `xml:"PolicyNames"`
	pageXML
}

func (s *Service) listInline(k principalKind) operation {
	return func(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
		in := newInput(call.Params)
		entity := in.name(k.param, k.inlineMaxName)
		req := in.pageRequest()
		if e := in.err(); e != nil {
			return nil, e
		}
		if e := s.authorizeOn(ctx, call, k.resource, entity, nil); e != nil {
			return nil, e
		}
		var names []string
		err := s.store.View(ctx, func(tx store.Tx) error {
			stored, err := getEntity(tx, callerAccount(call), k.resource, entity)
			if err != nil {
				return err
			}
			policies, err := tx.ListInlinePolicies(callerAccount(call), k.store(), stored)
			for _, p := range policies {
				names = append(names, p.Name)
			}
			return err
		})
		if e := s.txError(err); e != nil {
			return nil, e
		}
		page, pg, e := paginate(names, nameKey, req)
		if e != nil {
			return nil, e
		}
		return listInlineResult{XMLName: xml.Name{Local: call.Action + "Result"}, PolicyNames: memberList(page), pageXML: pg}, nil
	}
}

func (s *Service) deleteInline(k principalKind) operation {
	return func(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
		entity, name, e := s.readInline(ctx, call, k)
		if e != nil {
			return nil, e
		}
		account := callerAccount(call)
		return nil, s.txError(s.store.Update(ctx, func(tx store.Tx) error {
			stored, err := getEntity(tx, account, k.resource, entity)
			if err != nil {
				return err
			}
			return orNotFound(tx.DeleteInlinePolicy(account, k.store(), stored, name), k.noSuchInline(name))
		}))
	}
}
