package iam

import (
	"context"
	"encoding/xml"
	"strconv"
	"strings"

	"github.com/sekisho/sekisho/internal/access"
	"github.com/sekisho/sekisho/internal/awsproto"
	"github.com/sekisho/sekisho/internal/store"
)

// GetAccountAuthorizationDetails: every user, group, role and managed
// policy of the account with their policies, in one paginated answer.

type policyDetailXML struct {
	PolicyName     string `xml:"PolicyName"`
	PolicyDocument string `xml:"PolicyDocument"`
}

type userDetailXML struct {
	Path                    string                     `xml:"Path"`
	UserName                string                     `xml:"UserName"`
	UserID                  string                     `xml:"UserId"`
	Arn                     string                     `xml:"Arn"`
	CreateDate              string                     `xml:"CreateDate"`
	UserPolicyList          members[policyDetailXML]   `xml:"UserPolicyList"`
	GroupList               members[string]            `xml:"GroupList"`
	AttachedManagedPolicies members[attachedPolicyXML] `xml:"AttachedManagedPolicies"`
	PermissionsBoundary     *boundaryXML               `xml:"PermissionsBoundary"`
	Tags                    *members[tagXML]           `xml:"Tags"`
}

type groupDetailXML struct {
	Path                    string                     `xml:"Path"`
	GroupName               string                     `xml:"GroupName"`
	GroupID                 string                     `xml:"GroupId"`
	Arn                     string                     `xml:"Arn"`
	CreateDate              string                     `xml:"CreateDate"`
	GroupPolicyList         members[policyDetailXML]   `xml:"GroupPolicyList"`
	AttachedManagedPolicies members[attachedPolicyXML] `xml:"AttachedManagedPolicies"`
}

type roleDetailXML struct {
	Path                     string                      `xml:"Path"`
	RoleName                 string                      `xml:"RoleName"`
	RoleID                   string                      `xml:"RoleId"`
	Arn                      string                      `xml:"Arn"`
	CreateDate               string                      `xml:"CreateDate"`
	AssumeRolePolicyDocument string                      `xml:"AssumeRolePolicyDocument"`
	InstanceProfileList      members[instanceProfileXML] `xml:"InstanceProfileList"`
	RolePolicyList           members[policyDetailXML]    `xml:"RolePolicyList"`
	AttachedManagedPolicies  members[attachedPolicyXML]  `xml:"AttachedManagedPolicies"`
	PermissionsBoundary      *boundaryXML                `xml:"PermissionsBoundary"`
	Tags                     *members[tagXML]            `xml:"Tags"`
	RoleLastUsed             *roleLastUsedXML            `xml:"RoleLastUsed"`
}

type managedPolicyDetailXML struct {
	PolicyName                    string                    `xml:"PolicyName"`
	PolicyID                      string                    `xml:"PolicyId"`
	Arn                           string                    `xml:"Arn"`
	Path                          string                    `xml:"Path"`
	DefaultVersionID              string                    `xml:"DefaultVersionId"`
	AttachmentCount               int                       `xml:"AttachmentCount"`
	PermissionsBoundaryUsageCount int                       `xml:"PermissionsBoundaryUsageCount"`
	IsAttachable                  bool                      `xml:"IsAttachable"`
	Description                   string                    `xml:"Description,omitempty"`
	CreateDate                    string                    `xml:"CreateDate"`
	UpdateDate                    string                    `xml:"UpdateDate"`
	PolicyVersionList             members[policyVersionXML] `xml:"PolicyVersionList"`
}

type accountDetailsResult struct {
	XMLName         xml.Name                        `xml:"GetAccountAuthorizationDetailsResult"`
	UserDetailList  members[userDetailXML]          `xml:"UserDetailList"`
	GroupDetailList members[groupDetailXML]         `xml:"GroupDetailList"`
	RoleDetailList  members[roleDetailXML]          `xml:"RoleDetailList"`
	Policies        members[managedPolicyDetailXML] `xml:"Policies"`
	pageXML
}

// detailItem is one entry of the combined, paginated listing; key orders
// users, groups, roles and policies in that order.
type detailItem struct {
	key    string
	user   *userDetailXML
	group  *groupDetailXML
	role   *roleDetailXML
	policy *managedPolicyDetailXML
}

var detailFilters = []string{"User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy"}

// readDetailFilter reads Filter.member.N; no filter means everything.
func readDetailFilter(in *input) map[string]bool {
	filter := map[string]bool{}
	for i, f := range in.params.List("Filter") {
		known := false
		for _, ok := range detailFilters {
			known = known || f == ok
		}
		if !known {
			in.fail(f, "filter."+strconv.Itoa(i+1)+".member", "Member must satisfy enum value set: ["+strings.Join(detailFilters, ", ")+"]")
		}
		filter[f] = true
	}
	if len(filter) == 0 {
		for _, f := range detailFilters {
			filter[f] = true
		}
	}
	return filter
}

func (s *Service) getAccountAuthorizationDetails(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in := newInput(call.Params)
	filter := readDetailFilter(in)
	req := in.pageRequest()
	if e := in.err(); e != nil {
		return nil, e
	}
	account := callerAccount(call)
	if e := s.authorize(ctx, call, account, "*", nil); e != nil {
		return nil, e
	}
	items, err := store.Read(ctx, s.store, func(tx store.Tx) ([]detailItem, error) { return accountDetails(tx, account, filter) })
	if err != nil {
		return nil, s.internal(err)
	}
	page, pg, e := paginate(items, func(it detailItem) string { return it.key }, req)
	if e != nil {
		return nil, e
	}
	out := accountDetailsResult{pageXML: pg}
	for _, it := range page {
		switch {
		case it.user != nil:
			out.UserDetailList.Member = append(out.UserDetailList.Member, *it.user)
		case it.group != nil:
			out.GroupDetailList.Member = append(out.GroupDetailList.Member, *it.group)
		case it.role != nil:
			out.RoleDetailList.Member = append(out.RoleDetailList.Member, *it.role)
		case it.policy != nil:
			out.Policies.Member = append(out.Policies.Member, *it.policy)
		}
	}
	return out, nil
}

// accountDetails gathers the entries the filter asks for.
func accountDetails(tx store.Tx, account string, filter map[string]bool) ([]detailItem, error) {
	var items []detailItem
	steps := []struct {
		kind string
		add  func(store.Tx, string) ([]detailItem, error)
	}{
		{"User", userDetails}, {"Group", groupDetails}, {"Role", roleDetails},
		{"LocalManagedPolicy", localPolicyDetails}, {"AWSManagedPolicy", awsPolicyDetails},
	}
	for _, step := range steps {
		if !filter[step.kind] {
			continue
		}
		more, err := step.add(tx, account)
		if err != nil {
			return nil, err
		}
		items = append(items, more...)
	}
	return items, nil
}

// inlineDetails lists an entity's inline policies with their documents.
func inlineDetails(tx store.Tx, account string, kind store.EntityKind, name string) (members[policyDetailXML], error) {
	policies, err := tx.ListInlinePolicies(account, kind, name)
	out := members[policyDetailXML]{}
	for _, p := range policies {
		out.Member = append(out.Member, policyDetailXML{PolicyName: p.Name, PolicyDocument: encodeDocument(p.Document)})
	}
	return out, err
}

// policiesOf returns an entity's inline and attached policies.
func policiesOf(tx store.Tx, account string, kind store.EntityKind, name string) (members[policyDetailXML], members[attachedPolicyXML], error) {
	inline, err := inlineDetails(tx, account, kind, name)
	if err != nil {
		return inline, members[attachedPolicyXML]{}, err
	}
	attached, err := tx.ListAttachedPolicies(account, kind, name)
	return inline, memberList(toAttachedXML(attached)), err
}

func userDetails(tx store.Tx, account string) ([]detailItem, error) {
	users, err := tx.ListUsers(account, "")
	if err != nil {
		return nil, err
	}
	var out []detailItem
	for _, u := range users {
		inline, attached, err := policiesOf(tx, account, store.KindUser, u.Name)
		if err != nil {
			return nil, err
		}
		groups, err := tx.ListGroupsForUser(account, u.Name)
		if err != nil {
			return nil, err
		}
		names := members[string]{}
		for _, g := range groups {
			names.Member = append(names.Member, g.Name)
		}
		out = append(out, detailItem{key: "1" + nameKey(u.Name), user: &userDetailXML{
			Path: u.Path, UserName: u.Name, UserID: u.ID, Arn: access.UserARN(u), CreateDate: timestamp(u.CreatedAt),
			UserPolicyList: inline, GroupList: names, AttachedManagedPolicies: attached,
			PermissionsBoundary: toBoundaryXML(u.PermissionsBoundary), Tags: optionalList(toTagsXML(u.Tags)),
		}})
	}
	return out, nil
}

func groupDetails(tx store.Tx, account string) ([]detailItem, error) {
	groups, err := tx.ListGroups(account, "")
	if err != nil {
		return nil, err
	}
	var out []detailItem
	for _, g := range groups {
		inline, attached, err := policiesOf(tx, account, store.KindGroup, g.Name)
		if err != nil {
			return nil, err
		}
		out = append(out, detailItem{key: "2" + nameKey(g.Name), group: &groupDetailXML{
			Path: g.Path, GroupName: g.Name, GroupID: g.ID, Arn: access.GroupARN(g), CreateDate: timestamp(g.CreatedAt),
			GroupPolicyList: inline, AttachedManagedPolicies: attached,
		}})
	}
	return out, nil
}

func roleDetails(tx store.Tx, account string) ([]detailItem, error) {
	roles, err := tx.ListRoles(account, "")
	if err != nil {
		return nil, err
	}
	var out []detailItem
	for _, r := range roles {
		inline, attached, err := policiesOf(tx, account, store.KindRole, r.Name)
		if err != nil {
			return nil, err
		}
		owned, err := profilesOfRole(tx, account, r.Name)
		if err != nil {
			return nil, err
		}
		profiles, err := profilesXML(tx, owned)
		if err != nil {
			return nil, err
		}
		out = append(out, detailItem{key: "3" + nameKey(r.Name), role: &roleDetailXML{
			Path: r.Path, RoleName: r.Name, RoleID: r.ID, Arn: access.RoleARN(r), CreateDate: timestamp(r.CreatedAt),
			AssumeRolePolicyDocument: encodeDocument(r.TrustPolicy), InstanceProfileList: memberList(profiles),
			RolePolicyList: inline, AttachedManagedPolicies: attached,
			PermissionsBoundary: toBoundaryXML(r.PermissionsBoundary), Tags: optionalList(toTagsXML(r.Tags)),
			RoleLastUsed: roleLastUsed(r),
		}})
	}
	return out, nil
}

func localPolicyDetails(tx store.Tx, account string) ([]detailItem, error) {
	policies, err := tx.ListPolicies(account, "")
	if err != nil {
		return nil, err
	}
	return policyDetails(tx, account, policies, false)
}

// awsPolicyDetails lists the AWS managed policies the account uses: AWS
// has hundreds, and reports only those attached to something.
func awsPolicyDetails(tx store.Tx, account string) ([]detailItem, error) {
	policies, err := tx.ListPolicies("aws", "")
	if err != nil {
		return nil, err
	}
	return policyDetails(tx, account, policies, true)
}

func policyDetails(tx store.Tx, account string, policies []store.ManagedPolicy, onlyUsed bool) ([]detailItem, error) {
	index, err := usageIndex(tx, account)
	if err != nil {
		return nil, err
	}
	var out []detailItem
	for _, p := range policies {
		use := index[strings.ToLower(policyARNOf(p))]
		if onlyUsed && use.attachments == 0 && use.boundaries == 0 {
			continue
		}
		versions, err := tx.ListPolicyVersions(policyARNOf(p))
		if err != nil {
			return nil, err
		}
		list := members[policyVersionXML]{}
		for _, v := range versions {
			list.Member = append(list.Member, toPolicyVersionXML(v, p.DefaultVersionID, true))
		}
		x := toPolicyXML(p, use, full)
		out = append(out, detailItem{key: "4" + policyKey(p), policy: &managedPolicyDetailXML{
			PolicyName: x.PolicyName, PolicyID: x.PolicyID, Arn: x.Arn, Path: x.Path, DefaultVersionID: x.DefaultVersionID,
			AttachmentCount: x.AttachmentCount, PermissionsBoundaryUsageCount: x.PermissionsBoundaryUsageCount,
			IsAttachable: true, Description: x.Description, CreateDate: x.CreateDate, UpdateDate: x.UpdateDate,
			PolicyVersionList: list,
		}})
	}
	return out, nil
}
