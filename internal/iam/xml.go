package iam

import (
	"net/url"
	"strings"
	"time"

	"github.com/sekisho/sekisho/internal/access"
	"github.com/sekisho/sekisho/internal/awsproto"
	"github.com/sekisho/sekisho/internal/store"
)

// Shapes shared by several results, with botocore's member names. Lists
// are <Name><member>…</member></Name>; an optional list is a pointer so it
// disappears when absent, a required one is always written, even empty.

// members is a list's <member> elements.
type members[T any] struct {
	Member []T `xml:"member"`
}

func memberList[T any](items []T) members[T] {
	return members[T]{Member: items}
}

// convertAll converts each item to its XML shape, in order; it returns an
// empty list, never nil, for no items.
func convertAll[T, X any](items []T, convert func(T) X) []X {
	out := make([]X, 0, len(items))
	for _, item := range items {
		out = append(out, convert(item))
	}
	return out
}

// optionalList returns nil for an empty list, so it is left out.
func optionalList[T any](items []T) *members[T] {
	if len(items) == 0 {
		return nil
	}
	return &members[T]{Member: items}
}

// encodeDocument URL-encodes a policy document as IAM returns it: RFC
// 3986 percent-encoding of everything but unreserved characters (so a
// space is %20, not +).
func encodeDocument(doc string) string {
	return strings.ReplaceAll(url.QueryEscape(doc), "+", "%20")
}

// timestamp formats a date as IAM does: ISO 8601 in UTC.
func timestamp(t time.Time) string { return t.UTC().Format(awsproto.Timestamp) }

// optionalTimestamp is "" (left out) for a zero time.
func optionalTimestamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return timestamp(t)
}

type tagXML struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

func toTagsXML(tags []store.Tag) []tagXML {
	return convertAll(tags, func(t store.Tag) tagXML { return tagXML(t) })
}

// boundaryXML is AttachedPermissionsBoundary.
type boundaryXML struct {
	Type string `xml:"PermissionsBoundaryType"`
	Arn  string `xml:"PermissionsBoundaryArn"`
}

func toBoundaryXML(arn string) *boundaryXML {
	if arn == "" {
		return nil
	}
	return &boundaryXML{Type: "PermissionsBoundaryPolicy", Arn: arn}
}

// detail says whether an entity's boundary and tags are shown: Get*
// results show them, List* results leave them out as AWS does.
type detail bool

const (
	summary detail = false
	full    detail = true
)

type userXML struct {
	Path                string           `xml:"Path"`
	UserName            string           `xml:"UserName"`
	UserID              string           `xml:"UserId"`
	Arn                 string           `xml:"Arn"`
	CreateDate          string           `xml:"CreateDate"`
	PasswordLastUsed    string           `xml:"PasswordLastUsed,omitempty"`
	PermissionsBoundary *boundaryXML     `xml:"PermissionsBoundary"`
	Tags                *members[tagXML] `xml:"Tags"`
}

func toUserXML(u store.User, d detail) userXML {
	x := userXML{Path: u.Path, UserName: u.Name, UserID: u.ID, Arn: access.UserARN(u), CreateDate: timestamp(u.CreatedAt),
		PasswordLastUsed: optionalTimestamp(u.PasswordLastUsed)}
	if d == full {
		x.PermissionsBoundary = toBoundaryXML(u.PermissionsBoundary)
		x.Tags = optionalList(toTagsXML(u.Tags))
	}
	return x
}

func toUsersXML(users []store.User, d detail) []userXML {
	return convertAll(users, func(u store.User) userXML { return toUserXML(u, d) })
}

type groupXML struct {
	Path       string `xml:"Path"`
	GroupName  string `xml:"GroupName"`
	GroupID    string `xml:"GroupId"`
	Arn        string `xml:"Arn"`
	CreateDate string `xml:"CreateDate"`
}

func toGroupXML(g store.Group) groupXML {
	return groupXML{Path: g.Path, GroupName: g.Name, GroupID: g.ID, Arn: access.GroupARN(g), CreateDate: timestamp(g.CreatedAt)}
}

func toGroupsXML(groups []store.Group) []groupXML {
	return convertAll(groups, toGroupXML)
}

type roleLastUsedXML struct {
	LastUsedDate string `xml:"LastUsedDate,omitempty"`
	Region       string `xml:"Region,omitempty"`
}

// roleLastUsed is GetRole's RoleLastUsed: empty for a role never used.
func roleLastUsed(r store.Role) *roleLastUsedXML {
	if r.LastUsed.IsZero() {
		return &roleLastUsedXML{}
	}
	return &roleLastUsedXML{LastUsedDate: optionalTimestamp(r.LastUsed), Region: r.LastUsedRegion}
}

type roleXML struct {
	Path                     string           `xml:"Path"`
	RoleName                 string           `xml:"RoleName"`
	RoleID                   string           `xml:"RoleId"`
	Arn                      string           `xml:"Arn"`
	CreateDate               string           `xml:"CreateDate"`
	AssumeRolePolicyDocument string           `xml:"AssumeRolePolicyDocument,omitempty"`
	Description              string           `xml:"Description,omitempty"`
	MaxSessionDuration       int              `xml:"MaxSessionDuration,omitempty"`
	PermissionsBoundary      *boundaryXML     `xml:"PermissionsBoundary"`
	Tags                     *members[tagXML] `xml:"Tags"`
	RoleLastUsed             *roleLastUsedXML `xml:"RoleLastUsed"`
}

func toRoleXML(r store.Role, d detail) roleXML {
	x := roleXML{
		Path: r.Path, RoleName: r.Name, RoleID: r.ID, Arn: access.RoleARN(r), CreateDate: timestamp(r.CreatedAt),
		AssumeRolePolicyDocument: encodeDocument(r.TrustPolicy), Description: r.Description,
		MaxSessionDuration: r.MaxSessionDuration,
	}
	if d == full {
		x.PermissionsBoundary = toBoundaryXML(r.PermissionsBoundary)
		x.Tags = optionalList(toTagsXML(r.Tags))
		x.RoleLastUsed = roleLastUsed(r)
	}
	return x
}

func toRolesXML(roles []store.Role, d detail) []roleXML {
	return convertAll(roles, func(r store.Role) roleXML { return toRoleXML(r, d) })
}

// policyXML is the Policy shape of managed policies.
type policyXML struct {
	PolicyName                    string           `xml:"PolicyName"`
	PolicyID                      string           `xml:"PolicyId"`
	Arn                           string           `xml:"Arn"`
	Path                          string           `xml:"Path"`
	DefaultVersionID              string           `xml:"DefaultVersionId"`
	AttachmentCount               int              `xml:"AttachmentCount"`
	PermissionsBoundaryUsageCount int              `xml:"PermissionsBoundaryUsageCount"`
	IsAttachable                  bool             `xml:"IsAttachable"`
	Description                   string           `xml:"Description,omitempty"`
	CreateDate                    string           `xml:"CreateDate"`
	UpdateDate                    string           `xml:"UpdateDate"`
	Tags                          *members[tagXML] `xml:"Tags"`
}

// policyUsage is how many entities of the caller's account use a policy.
type policyUsage struct {
	attachments int
	boundaries  int
}

func toPolicyXML(p store.ManagedPolicy, use policyUsage, d detail) policyXML {
	x := policyXML{
		PolicyName: p.Name, PolicyID: p.ID, Arn: access.PolicyARN(p), Path: p.Path, DefaultVersionID: p.DefaultVersionID,
		AttachmentCount: use.attachments, PermissionsBoundaryUsageCount: use.boundaries, IsAttachable: true,
		CreateDate: timestamp(p.CreatedAt), UpdateDate: timestamp(p.UpdatedAt),
	}
	if d == full {
		x.Description = p.Description
		x.Tags = optionalList(toTagsXML(p.Tags))
	}
	return x
}

type policyVersionXML struct {
	Document         string `xml:"Document,omitempty"`
	VersionID        string `xml:"VersionId"`
	IsDefaultVersion bool   `xml:"IsDefaultVersion"`
	CreateDate       string `xml:"CreateDate"`
}

// toPolicyVersionXML shows a version, with its document when withDocument.
func toPolicyVersionXML(v store.PolicyVersion, defaultID string, withDocument bool) policyVersionXML {
	x := policyVersionXML{VersionID: v.VersionID, IsDefaultVersion: v.VersionID == defaultID, CreateDate: timestamp(v.CreatedAt)}
	if withDocument {
		x.Document = encodeDocument(v.Document)
	}
	return x
}

type attachedPolicyXML struct {
	PolicyName string `xml:"PolicyName"`
	PolicyArn  string `xml:"PolicyArn"`
}

func toAttachedXML(attachments []store.Attachment) []attachedPolicyXML {
	return convertAll(attachments, func(a store.Attachment) attachedPolicyXML {
		return attachedPolicyXML{PolicyName: policyNameOf(a.PolicyARN), PolicyArn: a.PolicyARN}
	})
}

// policyNameOf is the name at the end of a managed policy ARN.
func policyNameOf(arn string) string { return arn[strings.LastIndexByte(arn, '/')+1:] }

type instanceProfileXML struct {
	Path                string           `xml:"Path"`
	InstanceProfileName string           `xml:"InstanceProfileName"`
	InstanceProfileID   string           `xml:"InstanceProfileId"`
	Arn                 string           `xml:"Arn"`
	CreateDate          string           `xml:"CreateDate"`
	Roles               members[roleXML] `xml:"Roles"`
	Tags                *members[tagXML] `xml:"Tags"`
}

// instanceProfileARN is an instance profile's ARN.
func instanceProfileARN(account, path, name string) string {
	return "arn:aws:iam::" + account + ":instance-profile" + path + name
}

func toInstanceProfileXML(p store.InstanceProfile, roles []store.Role) instanceProfileXML {
	return instanceProfileXML{
		Path: p.Path, InstanceProfileName: p.Name, InstanceProfileID: p.ID,
		Arn: instanceProfileARN(p.Account, p.Path, p.Name), CreateDate: timestamp(p.CreatedAt),
		Roles: memberList(toRolesXML(roles, summary)),
	}
}

// withProfileTags is an instance profile as GetInstanceProfile and
// CreateInstanceProfile show it: listings leave the tags out (the IAM API
// reference: "this operation does not return tags").
func withProfileTags(x instanceProfileXML, tags []store.Tag) instanceProfileXML {
	x.Tags = optionalList(toTagsXML(tags))
	return x
}
