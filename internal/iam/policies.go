package iam

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"strings"

	"github.com/sekisho/sekisho/internal/awsproto"
	"github.com/sekisho/sekisho/internal/creds"
	"github.com/sekisho/sekisho/internal/store"
)

func (s *Service) policyOperations() map[string]operation {
	return map[string]operation{
		"CreatePolicy":            s.createPolicy,
		"GetPolicy":               s.getPolicy,
		"ListPolicies":            s.listPolicies,
		"DeletePolicy":            s.deletePolicy,
		"CreatePolicyVersion":     s.createPolicyVersion,
		"GetPolicyVersion":        s.getPolicyVersion,
		"ListPolicyVersions":      s.listPolicyVersions,
		"DeletePolicyVersion":     s.deletePolicyVersion,
		"SetDefaultPolicyVersion": s.setDefaultPolicyVersion,
		"ListEntitiesForPolicy":   s.listEntitiesForPolicy,
	}
}

// authorizePolicy authorizes the call on a managed policy ARN. A policy of
// another account is that account's resource, which no IAM call may
// reach: the engine denies it as a cross-account request without a
// resource policy.
func (s *Service) authorizePolicy(ctx context.Context, call *awsproto.Call, arn string, extra map[string][]string) *awsproto.Error {
	owner, e := parsePolicyARN(arn)
	if e != nil {
		return e
	}
	resourceAccount := callerAccount(call)
	if owner != "aws" {
		resourceAccount = owner
	}
	return s.authorize(ctx, call, resourceAccount, arn, extra)
}

// refuseAWSManaged stops changes to AWS managed policies, which belong to
// AWS rather than to any account.
func refuseAWSManaged(call *awsproto.Call, arn string) *awsproto.Error {
	if owner, _ := parsePolicyARN(arn); owner == "aws" {
		return awsproto.AccessDenied(fmt.Sprintf("User: %s is not authorized to perform: iam:%s on resource: %s",
			call.Caller.Principal.ARN, call.Action, arn))
	}
	return nil
}

// getPolicy finds a managed policy of the account (or AWS's).
func getPolicy(tx store.Tx, account, arn string) (store.ManagedPolicy, error) {
	if owner, _ := parsePolicyARN(arn); !usablePolicy(account, owner) {
		return store.ManagedPolicy{}, noSuchPolicy(arn)
	}
	p, err := tx.GetPolicy(arn)
	return p, orNotFound(err, noSuchPolicy(arn))
}

type createPolicyResult struct {
	XMLName xml.Name  `xml:"CreatePolicyResult"`
	Policy  policyXML `xml:"Policy"`
}

func (s *Service) createPolicy(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in := newInput(call.Params)
	name := in.name("PolicyName", maxLookupName)
	path := in.policyPath("Path")
	doc := in.document("PolicyDocument", true)
	description := in.text("Description", false, 0, maxDescription, nil)
	tags := in.tags(false)
	if e := in.err(); e != nil {
		return nil, e
	}
	if e := checkTagKeys(tags); e != nil {
		return nil, e
	}
	if _, e := checkIdentityDocument(doc); e != nil {
		return nil, e
	}
	account := callerAccount(call)
	now := s.gate.Now()
	p := store.ManagedPolicy{Account: account, Name: name, Path: path, ID: creds.NewUniqueID(creds.PrefixManagedPolicy),
		Description: description, DefaultVersionID: "v1", Tags: tags, CreatedAt: now, UpdatedAt: now}
	arn := store.PolicyARN(account, path, name)
	if e := s.authorize(ctx, call, account, arn, tagContext(tags, nil)); e != nil {
		return nil, e
	}
	err := s.store.Update(ctx, func(tx store.Tx) error {
		if existing, err := tx.ListPolicies(account, ""); err != nil {
			return err
		} else if hasPolicyNamed(existing, name) {
			return policyExists(name)
		}
		first := store.PolicyVersion{PolicyARN: arn, VersionID: "v1", Document: doc, CreatedAt: now}
		return orExists(tx.CreatePolicy(p, first), policyExists(name))
	})
	if e := s.txError(err); e != nil {
		return nil, e
	}
	return createPolicyResult{Policy: toPolicyXML(p, policyUsage{}, full)}, nil
}

func policyExists(name string) *awsproto.Error {
	return entityExists("A policy called %s already exists. Duplicate names are not allowed.", name)
}

// hasPolicyNamed reports whether a policy of any path has the name: names
// are unique per account whatever the path.
func hasPolicyNamed(policies []store.ManagedPolicy, name string) bool {
	for _, p := range policies {
		if strings.EqualFold(p.Name, name) {
			return true
		}
	}
	return false
}

type getPolicyResult struct {
	XMLName xml.Name  `xml:"GetPolicyResult"`
	Policy  policyXML `xml:"Policy"`
}

func (s *Service) getPolicy(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	arn, e := s.readPolicyARN(ctx, call, nil)
	if e != nil {
		return nil, e
	}
	account := callerAccount(call)
	var (
		p   store.ManagedPolicy
		use policyUsage
	)
	err := s.store.View(ctx, func(tx store.Tx) error {
		var err error
		if p, err = getPolicy(tx, account, arn); err != nil {
			return err
		}
		use, err = usageOf(tx, account, arn)
		return err
	})
	if e := s.txError(err); e != nil {
		return nil, e
	}
	return getPolicyResult{Policy: toPolicyXML(p, use, full)}, nil
}

// readPolicyARN reads PolicyArn (with more parameters read by more) and
// authorizes the call on it.
func (s *Service) readPolicyARN(ctx context.Context, call *awsproto.Call, more func(*input)) (string, *awsproto.Error) {
	in := newInput(call.Params)
	arn := in.arn("PolicyArn", true)
	if more != nil {
		more(in)
	}
	if e := in.err(); e != nil {
		return "", e
	}
	return arn, s.authorizePolicy(ctx, call, arn, nil)
}

// usageOf counts the account's attachments of a policy and the users and
// roles using it as their permissions boundary.
func usageOf(tx store.Tx, account, arn string) (policyUsage, error) {
	var use policyUsage
	attachments, err := tx.ListPolicyAttachments(arn)
	if err != nil {
		return use, err
	}
	for _, a := range attachments {
		if a.Account == account {
			use.attachments++
		}
	}
	bounded, err := boundaryUsers(tx, account)
	if err != nil {
		return use, err
	}
	use.boundaries = bounded[strings.ToLower(arn)]
	return use, nil
}

// boundaryUsers counts, per lower-cased policy ARN, the users and roles of
// the account using the policy as their permissions boundary.
func boundaryUsers(tx store.Tx, account string) (map[string]int, error) {
	counts := map[string]int{}
	users, err := tx.ListUsers(account, "")
	if err != nil {
		return nil, err
	}
	for _, u := range users {
		if u.PermissionsBoundary != "" {
			counts[strings.ToLower(u.PermissionsBoundary)]++
		}
	}
	roles, err := tx.ListRoles(account, "")
	if err != nil {
		return nil, err
	}
	for _, r := range roles {
		if r.PermissionsBoundary != "" {
			counts[strings.ToLower(r.PermissionsBoundary)]++
		}
	}
	return counts, nil
}

// usageIndex counts the uses of every policy in the account at once.
func usageIndex(tx store.Tx, account string) (map[string]policyUsage, error) {
	bounded, err := boundaryUsers(tx, account)
	if err != nil {
		return nil, err
	}
	index := map[string]policyUsage{}
	for arn, n := range bounded {
		index[arn] = policyUsage{boundaries: n}
	}
	attachments, err := accountAttachments(tx, account)
	if err != nil {
		return nil, err
	}
	for _, a := range attachments {
		k := strings.ToLower(a.PolicyARN)
		use := index[k]
		use.attachments++
		index[k] = use
	}
	return index, nil
}

// accountAttachments lists the managed policy attachments of every user,
// group and role of the account.
func accountAttachments(tx store.Tx, account string) ([]store.Attachment, error) {
	entities, err := accountEntities(tx, account)
	if err != nil {
		return nil, err
	}
	var out []store.Attachment
	for _, ent := range entities {
		attached, err := tx.ListAttachedPolicies(account, ent.kind, ent.name)
		if err != nil {
			return nil, err
		}
		out = append(out, attached...)
	}
	return out, nil
}

type listPoliciesResult struct {
	XMLName  xml.Name           `xml:"ListPoliciesResult"`
	Policies members[policyXML] `xml:"Policies"`
	pageXML
}

// listPoliciesInput is ListPolicies' filters.
type listPoliciesInput struct {
	scope, prefix, usage string
	onlyAttached         bool
}

func (s *Service) listPolicies(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in := newInput(call.Params)
	f := listPoliciesInput{
		scope:        or(in.enum("Scope", false, "All", "AWS", "Local"), "All"),
		onlyAttached: in.boolean("OnlyAttached"),
		prefix:       in.policyPath("PathPrefix"),
		usage:        in.enum("PolicyUsageFilter", false, "PermissionsPolicy", "PermissionsBoundary"),
	}
	req := in.pageRequest()
	if e := in.err(); e != nil {
		return nil, e
	}
	account := callerAccount(call)
	if e := s.authorize(ctx, call, account, "arn:aws:iam::"+account+":policy"+f.prefix, nil); e != nil {
		return nil, e
	}
	var (
		policies []store.ManagedPolicy
		index    map[string]policyUsage
	)
	err := s.store.View(ctx, func(tx store.Tx) error {
		var err error
		if policies, err = policiesInScope(tx, account, f.scope, f.prefix); err != nil {
			return err
		}
		index, err = usageIndex(tx, account)
		return err
	})
	if err != nil {
		return nil, s.internal(err)
	}
	var out []store.ManagedPolicy
	for _, p := range policies {
		if f.keeps(index[strings.ToLower(policyARNOf(p))]) {
			out = append(out, p)
		}
	}
	page, pg, e := paginate(out, policyKey, req)
	if e != nil {
		return nil, e
	}
	items := convertAll(page, func(p store.ManagedPolicy) policyXML {
		return toPolicyXML(p, index[strings.ToLower(policyARNOf(p))], summary)
	})
	return listPoliciesResult{Policies: memberList(items), pageXML: pg}, nil
}

// keeps applies OnlyAttached and PolicyUsageFilter.
func (f listPoliciesInput) keeps(use policyUsage) bool {
	if !f.onlyAttached {
		return true
	}
	switch f.usage {
	case "PermissionsBoundary":
		return use.boundaries > 0
	case "PermissionsPolicy":
		return use.attachments > 0
	}
	return use.attachments > 0 || use.boundaries > 0
}

func policyKey(p store.ManagedPolicy) string { return nameKey(p.Name) + "\x00" + p.Account }

func policyARNOf(p store.ManagedPolicy) string { return store.PolicyARN(p.Account, p.Path, p.Name) }

// policiesInScope lists the account's policies (Local), AWS's (AWS) or both.
func policiesInScope(tx store.Tx, account, scope, prefix string) ([]store.ManagedPolicy, error) {
	var out []store.ManagedPolicy
	if scope != "AWS" {
		local, err := tx.ListPolicies(account, prefix)
		if err != nil {
			return nil, err
		}
		out = append(out, local...)
	}
	if scope != "Local" {
		managed, err := tx.ListPolicies("aws", prefix)
		if err != nil {
			return nil, err
		}
		out = append(out, managed...)
	}
	return out, nil
}

func (s *Service) deletePolicy(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	arn, e := s.readPolicyARN(ctx, call, nil)
	if e != nil {
		return nil, e
	}
	if e := refuseAWSManaged(call, arn); e != nil {
		return nil, e
	}
	account := callerAccount(call)
	err := s.store.Update(ctx, func(tx store.Tx) error {
		p, err := getPolicy(tx, account, arn)
		if err != nil {
			return err
		}
		if err := checkPolicyUnused(tx, account, arn); err != nil {
			return err
		}
		versions, err := tx.ListPolicyVersions(arn)
		if err != nil {
			return err
		}
		if len(versions) > 1 {
			return deleteConflict("This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.")
		}
		err = tx.DeletePolicy(policyARNOf(p))
		if errors.Is(err, store.ErrConflict) {
			return deleteConflict("Cannot delete a policy attached to entities.")
		}
		return err
	})
	return nil, s.txError(err)
}

// checkPolicyUnused refuses to delete a policy still attached, or still
// some user's or role's permissions boundary (deleting it would silently
// lift the boundary).
func checkPolicyUnused(tx store.Tx, account, arn string) error {
	use, err := usageOf(tx, account, arn)
	if err != nil {
		return err
	}
	if use.attachments > 0 || use.boundaries > 0 {
		return deleteConflict("Cannot delete a policy attached to entities.")
	}
	return nil
}
