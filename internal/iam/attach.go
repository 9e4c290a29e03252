package iam

import (
	"context"
	"encoding/xml"
	"errors"
	"strings"

	"github.com/sekisho/sekisho/internal/awsproto"
	"github.com/sekisho/sekisho/internal/store"
)

// principalKind describes users, groups and roles for the operations they
// share: attachments and inline policies.
type principalKind struct {
	resource resourceType
	param    string // "UserName"
	maxName  int
	// inlineMaxName is the name's limit in the inline policy calls, which
	// name an existing user by the model's existingUserNameType (128)
	// where the attach calls use userNameType (64).
	inlineMaxName int
	quota         string // "User", for PoliciesPerUser
	// inlineLimit is the total size of the entity's inline policies,
	// counted without white space.
	inlineLimit int
}

var (
	userKind = principalKind{resource: userResource, param: "UserName", maxName: maxUserName, inlineMaxName: maxLookupName,
		quota: "User", inlineLimit: 2048}
	groupKind = principalKind{resource: groupResource, param: "GroupName", maxName: maxLookupName, inlineMaxName: maxLookupName,
		quota: "Group", inlineLimit: 5120}
	roleKind = principalKind{resource: roleResource, param: "RoleName", maxName: maxUserName, inlineMaxName: maxUserName,
		quota: "Role", inlineLimit: 10240}
)

// attachedQuota is how many managed policies one user, group or role may
// have attached: AWS's default quota. Users and roles go up to 20 only on
// request (the store's hard limit), groups never.
const attachedQuota = 10

func (k principalKind) store() store.EntityKind { return entityKind(k.resource) }

func (s *Service) attachOperations() map[string]operation {
	ops := map[string]operation{}
	for _, k := range []principalKind{userKind, groupKind, roleKind} {
		ops["Attach"+k.quota+"Policy"] = s.attach(k)
		ops["Detach"+k.quota+"Policy"] = s.detach(k)
		ops["ListAttached"+k.quota+"Policies"] = s.listAttached(k)
	}
	return ops
}

// readAttachment reads the entity's name and PolicyArn and authorizes the
// call on the entity with iam:PolicyARN in the context.
func (s *Service) readAttachment(ctx context.Context, call *awsproto.Call, k principalKind) (name, arn string, e *awsproto.Error) {
	in := newInput(call.Params)
	name = in.name(k.param, k.maxName)
	arn = in.arn("PolicyArn", true)
	if e := in.err(); e != nil {
		return "", "", e
	}
	if _, e := parsePolicyARN(arn); e != nil {
		return "", "", e
	}
	return name, arn, s.authorizeOn(ctx, call, k.resource, name, map[string][]string{"iam:PolicyARN": {arn}})
}

// attach is idempotent: attaching an attached policy succeeds.
func (s *Service) attach(k principalKind) operation {
	return func(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
		name, arn, e := s.readAttachment(ctx, call, k)
		if e != nil {
			return nil, e
		}
		account := callerAccount(call)
		quota := limitExceeded("Cannot exceed quota for PoliciesPer%s: %d", k.quota, attachedQuota)
		err := s.store.Update(ctx, func(tx store.Tx) error {
			entity, err := getEntity(tx, account, k.resource, name)
			if err != nil {
				return err
			}
			p, err := getPolicy(tx, account, arn)
			var missing *awsproto.Error
			if errors.As(err, &missing) {
				return notAttachable(arn)
			} else if err != nil {
				return err
			}
			attached, err := tx.ListAttachedPolicies(account, k.store(), entity)
			switch {
			case err != nil:
				return err
			case isAttached(attached, arn):
				return nil
			case len(attached) >= attachedQuota:
				return quota
			}
			err = tx.AttachPolicy(store.Attachment{Account: account, Kind: k.store(), Entity: entity, PolicyARN: policyARNOf(p)})
			switch {
			case errors.Is(err, store.ErrExists):
				return nil
			case errors.Is(err, store.ErrLimit):
				return quota
			}
			return err
		})
		return nil, s.txError(err)
	}
}

func isAttached(attached []store.Attachment, arn string) bool {
	for _, a := range attached {
		if strings.EqualFold(a.PolicyARN, arn) {
			return true
		}
	}
	return false
}

func (s *Service) detach(k principalKind) operation {
	return func(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
		name, arn, e := s.readAttachment(ctx, call, k)
		if e != nil {
			return nil, e
		}
		account := callerAccount(call)
		err := s.store.Update(ctx, func(tx store.Tx) error {
			entity, err := getEntity(tx, account, k.resource, name)
			if err != nil {
				return err
			}
			attached, err := tx.ListAttachedPolicies(account, k.store(), entity)
			if err != nil {
				return err
			}
			for _, a := range attached {
				if strings.EqualFold(a.PolicyARN, arn) {
					return orNotFound(tx.DetachPolicy(a), noSuchPolicy(arn))
				}
			}
			return noSuchPolicy(arn)
		})
		return nil, s.txError(err)
	}
}

type listAttachedResult struct {
	XMLName          xml.Name
	AttachedPolicies members[attachedPolicyXML] `xml:"AttachedPolicies"`
	pageXML
}

func (s *Service) listAttached(k principalKind) operation {
	return func(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
		in := newInput(call.Params)
		name := in.name(k.param, k.maxName)
		prefix := in.policyPath("PathPrefix")
		req := in.pageRequest()
		if e := in.err(); e != nil {
			return nil, e
		}
		if e := s.authorizeOn(ctx, call, k.resource, name, nil); e != nil {
			return nil, e
		}
		var attached []store.Attachment
		err := s.store.View(ctx, func(tx store.Tx) error {
			entity, err := getEntity(tx, callerAccount(call), k.resource, name)
			if err != nil {
				return err
			}
			attached, err = tx.ListAttachedPolicies(callerAccount(call), k.store(), entity)
			return err
		})
		if e := s.txError(err); e != nil {
			return nil, e
		}
		var kept []store.Attachment
		for _, a := range attached {
			if strings.HasPrefix(policyPathOf(a.PolicyARN), prefix) {
				kept = append(kept, a)
			}
		}
		page, pg, e := paginate(kept, func(a store.Attachment) string { return nameKey(policyNameOf(a.PolicyARN)) + "\x00" + a.PolicyARN }, req)
		if e != nil {
			return nil, e
		}
		return listAttachedResult{XMLName: xml.Name{Local: call.Action + "Result"}, AttachedPolicies: memberList(toAttachedXML(page)), pageXML: pg}, nil
	}
}

// policyPathOf is the path in a managed policy ARN: "/" or "/a/b/".
func policyPathOf(arn string) string {
	_, resource, _ := strings.Cut(arn, ":policy")
	return resource[:strings.LastIndexByte(resource, '/')+1]
}

type policyGroupXML struct {
	GroupName string `xml:"GroupName"`
	GroupID   string `xml:"GroupId"`
}

type policyUserXML struct {
	UserName string `xml:"UserName"`
	UserID   string `xml:"UserId"`
}

type policyRoleXML struct {
	RoleName string `xml:"RoleName"`
	RoleID   string `xml:"RoleId"`
}

type listEntitiesForPolicyResult struct {
	XMLName      xml.Name                `xml:"ListEntitiesForPolicyResult"`
	PolicyGroups members[policyGroupXML] `xml:"PolicyGroups"`
	PolicyUsers  members[policyUserXML]  `xml:"PolicyUsers"`
	PolicyRoles  members[policyRoleXML]  `xml:"PolicyRoles"`
	pageXML
}

// entitiesFilter is ListEntitiesForPolicy's filters.
type entitiesFilter struct {
	kind, prefix, usage string
}

// keeps reports whether ent passes the filters, given whether the policy
// is attached to it.
func (f entitiesFilter) keeps(ent entityRef, arn string, attached bool) bool {
	kinds := map[string]store.EntityKind{"User": store.KindUser, "Group": store.KindGroup, "Role": store.KindRole}
	if k, ok := kinds[f.kind]; (ok && k != ent.kind) || (f.kind != "" && !ok) {
		return false
	}
	if !strings.HasPrefix(ent.path, f.prefix) {
		return false
	}
	bounded := strings.EqualFold(ent.boundary, arn)
	switch f.usage {
	case "PermissionsPolicy":
		return attached
	case "PermissionsBoundary":
		return bounded
	}
	return attached || bounded
}

func (s *Service) listEntitiesForPolicy(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	var (
		f   entitiesFilter
		req pageRequest
	)
	arn, e := s.readPolicyARN(ctx, call, func(in *input) {
		f.kind = in.enum("EntityFilter", false, "User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy")
		f.prefix = in.path("PathPrefix")
		f.usage = in.enum("PolicyUsageFilter", false, "PermissionsPolicy", "PermissionsBoundary")
		req = in.pageRequest()
	})
	if e != nil {
		return nil, e
	}
	account := callerAccount(call)
	var found []entityRef
	err := s.store.View(ctx, func(tx store.Tx) error {
		if _, err := getPolicy(tx, account, arn); err != nil {
			return err
		}
		var err error
		found, err = entitiesUsing(tx, account, arn, f)
		return err
	})
	if e := s.txError(err); e != nil {
		return nil, e
	}
	page, pg, e := paginate(found, func(ent entityRef) string { return string(ent.kind) + "\x00" + nameKey(ent.name) }, req)
	if e != nil {
		return nil, e
	}
	out := listEntitiesForPolicyResult{pageXML: pg}
	for _, ent := range page {
		switch ent.kind {
		case store.KindGroup:
			out.PolicyGroups.Member = append(out.PolicyGroups.Member, policyGroupXML{ent.name, ent.id})
		case store.KindUser:
			out.PolicyUsers.Member = append(out.PolicyUsers.Member, policyUserXML{ent.name, ent.id})
		case store.KindRole:
			out.PolicyRoles.Member = append(out.PolicyRoles.Member, policyRoleXML{ent.name, ent.id})
		}
	}
	return out, nil
}

// entitiesUsing lists the account's users, groups and roles that have the
// policy attached or as their boundary, as the filters ask.
func entitiesUsing(tx store.Tx, account, arn string, f entitiesFilter) ([]entityRef, error) {
	attachments, err := tx.ListPolicyAttachments(arn)
	if err != nil {
		return nil, err
	}
	attached := map[string]bool{}
	for _, a := range attachments {
		if a.Account == account {
			attached[string(a.Kind)+"/"+strings.ToLower(a.Entity)] = true
		}
	}
	entities, err := accountEntities(tx, account)
	if err != nil {
		return nil, err
	}
	var out []entityRef
	for _, ent := range entities {
		if f.keeps(ent, arn, attached[string(ent.kind)+"/"+strings.ToLower(ent.name)]) {
			out = append(out, ent)
		}
	}
	return out, nil
}
