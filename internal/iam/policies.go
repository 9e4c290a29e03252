package iam

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"strconv"
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
	items := make([]policyXML, 0, len(page))
	for _, p := range page {
		items = append(items, toPolicyXML(p, index[strings.ToLower(policyARNOf(p))], summary))
	}
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

type createPolicyVersionResult struct {
	XMLName       xml.Name         `xml:"CreatePolicyVersionResult"`
	PolicyVersion policyVersionXML `xml:"PolicyVersion"`
}

func (s *Service) createPolicyVersion(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	var (
		doc          string
		setAsDefault bool
	)
	arn, e := s.readPolicyARN(ctx, call, func(in *input) {
		doc = in.document("PolicyDocument", true)
		setAsDefault = in.boolean("SetAsDefault")
	})
	if e != nil {
		return nil, e
	}
	if e := refuseAWSManaged(call, arn); e != nil {
		return nil, e
	}
	if _, e := checkIdentityDocument(doc); e != nil {
		return nil, e
	}
	account := callerAccount(call)
	now := s.gate.Now()
	var v store.PolicyVersion
	isDefault := false
	quota := limitExceeded("A managed policy can have up to %d versions. Before you create a new version, you must delete an existing version.", store.MaxPolicyVersions)
	err := s.store.Update(ctx, func(tx store.Tx) error {
		p, err := getPolicy(tx, account, arn)
		if err != nil {
			return err
		}
		versions, err := tx.ListPolicyVersions(policyARNOf(p))
		if err != nil {
			return err
		}
		if len(versions) >= store.MaxPolicyVersions {
			return quota
		}
		v = store.PolicyVersion{PolicyARN: policyARNOf(p), VersionID: "v" + strconv.Itoa(highestVersion(versions)+1), Document: doc, CreatedAt: now}
		if err := tx.CreatePolicyVersion(v); errors.Is(err, store.ErrLimit) {
			return quota
		} else if err != nil {
			return err
		}
		p.UpdatedAt = now
		if setAsDefault {
			p.DefaultVersionID = v.VersionID
		}
		isDefault = p.DefaultVersionID == v.VersionID
		return tx.UpdatePolicy(p)
	})
	if e := s.txError(err); e != nil {
		return nil, e
	}
	defaultID := ""
	if isDefault {
		defaultID = v.VersionID
	}
	return createPolicyVersionResult{PolicyVersion: toPolicyVersionXML(v, defaultID, false)}, nil
}

// highestVersion is the largest N of the versions vN.
func highestVersion(versions []store.PolicyVersion) int {
	high := 0
	for _, v := range versions {
		if n := versionNumber(v.VersionID); n > high {
			high = n
		}
	}
	return high
}

func versionNumber(id string) int {
	n, err := strconv.Atoi(strings.TrimPrefix(id, "v"))
	if err != nil {
		return 0
	}
	return n
}

type getPolicyVersionResult struct {
	XMLName       xml.Name         `xml:"GetPolicyVersionResult"`
	PolicyVersion policyVersionXML `xml:"PolicyVersion"`
}

// readVersionCall reads PolicyArn and VersionId and authorizes the call.
func (s *Service) readVersionCall(ctx context.Context, call *awsproto.Call) (arn, version string, e *awsproto.Error) {
	arn, e = s.readPolicyARN(ctx, call, func(in *input) {
		version = in.text("VersionId", true, 0, 0, &versionIDPattern)
	})
	return arn, version, e
}

func (s *Service) getPolicyVersion(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	arn, version, e := s.readVersionCall(ctx, call)
	if e != nil {
		return nil, e
	}
	var (
		p store.ManagedPolicy
		v store.PolicyVersion
	)
	err := s.store.View(ctx, func(tx store.Tx) error {
		var err error
		if p, err = getPolicy(tx, callerAccount(call), arn); err != nil {
			return err
		}
		v, err = tx.GetPolicyVersion(policyARNOf(p), version)
		return orNotFound(err, noSuchVersion(arn, version))
	})
	if e := s.txError(err); e != nil {
		return nil, e
	}
	return getPolicyVersionResult{PolicyVersion: toPolicyVersionXML(v, p.DefaultVersionID, true)}, nil
}

type listPolicyVersionsResult struct {
	XMLName  xml.Name                  `xml:"ListPolicyVersionsResult"`
	Versions members[policyVersionXML] `xml:"Versions"`
	pageXML
}

// listPolicyVersions lists the newest version first, as AWS does.
func (s *Service) listPolicyVersions(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	var req pageRequest
	arn, e := s.readPolicyARN(ctx, call, func(in *input) { req = in.pageRequest() })
	if e != nil {
		return nil, e
	}
	var (
		p        store.ManagedPolicy
		versions []store.PolicyVersion
	)
	err := s.store.View(ctx, func(tx store.Tx) error {
		var err error
		if p, err = getPolicy(tx, callerAccount(call), arn); err != nil {
			return err
		}
		versions, err = tx.ListPolicyVersions(policyARNOf(p))
		return err
	})
	if e := s.txError(err); e != nil {
		return nil, e
	}
	page, pg, e := paginate(versions, func(v store.PolicyVersion) string {
		return fmt.Sprintf("%010d", 1<<30-versionNumber(v.VersionID))
	}, req)
	if e != nil {
		return nil, e
	}
	items := make([]policyVersionXML, 0, len(page))
	for _, v := range page {
		items = append(items, toPolicyVersionXML(v, p.DefaultVersionID, false))
	}
	return listPolicyVersionsResult{Versions: memberList(items), pageXML: pg}, nil
}

func (s *Service) deletePolicyVersion(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	arn, version, e := s.readVersionCall(ctx, call)
	if e != nil {
		return nil, e
	}
	if e := refuseAWSManaged(call, arn); e != nil {
		return nil, e
	}
	err := s.store.Update(ctx, func(tx store.Tx) error {
		p, err := getPolicy(tx, callerAccount(call), arn)
		if err != nil {
			return err
		}
		v, err := tx.GetPolicyVersion(policyARNOf(p), version)
		if err != nil {
			return orNotFound(err, noSuchVersion(arn, version))
		}
		if v.VersionID == p.DefaultVersionID {
			return deleteConflict("Cannot delete the default version of a policy.")
		}
		return orNotFound(tx.DeletePolicyVersion(policyARNOf(p), v.VersionID), noSuchVersion(arn, version))
	})
	return nil, s.txError(err)
}

func (s *Service) setDefaultPolicyVersion(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	arn, version, e := s.readVersionCall(ctx, call)
	if e != nil {
		return nil, e
	}
	if e := refuseAWSManaged(call, arn); e != nil {
		return nil, e
	}
	err := s.store.Update(ctx, func(tx store.Tx) error {
		p, err := getPolicy(tx, callerAccount(call), arn)
		if err != nil {
			return err
		}
		v, err := tx.GetPolicyVersion(policyARNOf(p), version)
		if err != nil {
			return orNotFound(err, noSuchVersion(arn, version))
		}
		p.DefaultVersionID = v.VersionID
		return tx.UpdatePolicy(p)
	})
	return nil, s.txError(err)
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
