package console

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
)

type iamHomeXML struct {
	Users []struct {
		UserName, Arn, CreateDate string
	} `xml:"ListUsersResult>Users>member"`
	Roles []struct {
		RoleName, Arn, Description string
	} `xml:"ListRolesResult>Roles>member"`
	Groups []struct {
		GroupName, Arn string
	} `xml:"ListGroupsResult>Groups>member"`
	Policies []struct {
		PolicyName, Arn, DefaultVersionId string
		AttachmentCount                   int
	} `xml:"ListPoliciesResult>Policies>member"`
}

// iamSection is one list of the IAM page, or the error that refused it.
type iamHome struct {
	Lists  iamHomeXML
	Errors map[string]string
}

// iamHome lists users, roles, groups and customer managed policies, each
// with its own call: a list the identity may not see shows AWS's refusal.
func (c *Console) iamHome(w http.ResponseWriter, r *http.Request, s *state) {
	page := iamHome{Errors: map[string]string{}}
	calls := []struct {
		name   string
		params url.Values
	}{
		{"Users", url.Values{"Action": {"ListUsers"}}},
		{"Roles", url.Values{"Action": {"ListRoles"}}},
		{"Groups", url.Values{"Action": {"ListGroups"}}},
		{"Policies", url.Values{"Action": {"ListPolicies"}, "Scope": {"Local"}}},
	}
	for _, call := range calls {
		if e := c.query(r, s.current(), "iam", call.params, &page.Lists); e != nil {
			page.Errors[call.name] = e.Code + ": " + e.Message
		}
	}
	c.render(w, r, s, "iam", pageData{Title: "IAM", Data: page})
}

type attachedXML struct {
	Attached []struct {
		PolicyName, PolicyArn string
	} `xml:"ListAttachedUserPoliciesResult>AttachedPolicies>member"`
	AttachedRole []struct {
		PolicyName, PolicyArn string
	} `xml:"ListAttachedRolePoliciesResult>AttachedPolicies>member"`
}

type userPage struct {
	User struct {
		UserName, Arn, UserId, CreateDate string
	} `xml:"GetUserResult>User"`
	Keys []struct {
		AccessKeyId, Status, CreateDate string
	} `xml:"ListAccessKeysResult>AccessKeyMetadata>member"`
	attachedXML
	Errors []string
}

func (c *Console) iamUser(w http.ResponseWriter, r *http.Request, s *state) {
	name := r.FormValue("name")
	var page userPage
	for _, action := range []string{"GetUser", "ListAccessKeys", "ListAttachedUserPolicies"} {
		if e := c.query(r, s.current(), "iam", url.Values{"Action": {action}, "UserName": {name}}, &page); e != nil {
			page.Errors = append(page.Errors, action+": "+e.Code+": "+e.Message)
		}
	}
	c.render(w, r, s, "user", pageData{Title: "User " + name, Data: page})
}

type roleXML struct {
	Role struct {
		RoleName, Arn, RoleId, Description, CreateDate string
		AssumeRolePolicyDocument                       string
		MaxSessionDuration                             int
	} `xml:"GetRoleResult>Role"`
	attachedXML
}

type rolePage struct {
	roleXML
	TrustJSON  string
	Trust      []trustRow
	Errors     []string
	EditedJSON string // a refused edit, shown again
}

// trustRow is one trust policy statement, rendered.
type trustRow struct {
	Sid, Effect, Principal, Action, Condition string
}

func renderTrust(doc string) []trustRow {
	var p struct {
		Statement json.RawMessage
	}
	if json.Unmarshal([]byte(doc), &p) != nil {
		return nil
	}
	var stmts []map[string]any
	if json.Unmarshal(p.Statement, &stmts) != nil {
		var one map[string]any
		if json.Unmarshal(p.Statement, &one) != nil {
			return nil
		}
		stmts = []map[string]any{one}
	}
	var rows []trustRow
	for _, st := range stmts {
		rows = append(rows, trustRow{Sid: compact(st["Sid"]), Effect: compact(st["Effect"]),
			Principal: compact(firstOf(st, "Principal", "NotPrincipal")), Action: compact(firstOf(st, "Action", "NotAction")),
			Condition: compact(st["Condition"])})
	}
	return rows
}

func firstOf(m map[string]any, keys ...string) any {
	for _, k := range keys {
		if v, ok := m[k]; ok {
			if k != keys[0] {
				return map[string]any{k: v}
			}
			return v
		}
	}
	return nil
}

func compact(v any) string {
	switch t := v.(type) {
	case nil:
		return ""
	case string:
		return t
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func (c *Console) loadRole(r *http.Request, s *state, name string) rolePage {
	var page rolePage
	for _, action := range []string{"GetRole", "ListAttachedRolePolicies"} {
		if e := c.query(r, s.current(), "iam", url.Values{"Action": {action}, "RoleName": {name}}, &page.roleXML); e != nil {
			page.Errors = append(page.Errors, action+": "+e.Code+": "+e.Message)
		}
	}
	if doc, err := url.QueryUnescape(page.Role.AssumeRolePolicyDocument); err == nil && doc != "" {
		page.TrustJSON = prettyJSON(doc)
		page.Trust = renderTrust(doc)
	}
	return page
}

func (c *Console) iamRole(w http.ResponseWriter, r *http.Request, s *state) {
	name := r.FormValue("name")
	c.render(w, r, s, "role", pageData{Title: "Role " + name, Data: c.loadRole(r, s, name)})
}

// iamEditTrust saves a role's trust policy; IAM's validation errors show inline.
func (c *Console) iamEditTrust(w http.ResponseWriter, r *http.Request, s *state) {
	name := r.FormValue("name")
	if r.Method != http.MethodPost {
		http.Redirect(w, r, Prefix+"/iam/role?name="+url.QueryEscape(name), http.StatusSeeOther)
		return
	}
	doc := r.FormValue("policy")
	e := c.query(r, s.current(), "iam", url.Values{"Action": {"UpdateAssumeRolePolicy"}, "RoleName": {name}, "PolicyDocument": {doc}}, nil)
	if e != nil {
		page := c.loadRole(r, s, name)
		page.EditedJSON = doc
		c.showRefusal(w, r, s, "role", "Role "+name, e, page)
		return
	}
	s.Flash = "Trust policy of " + name + " saved."
	c.save(w, r, s)
	http.Redirect(w, r, Prefix+"/iam/role?name="+url.QueryEscape(name), http.StatusSeeOther)
}

type policyXML struct {
	Policy struct {
		PolicyName, Arn, DefaultVersionId, Description string
		AttachmentCount                                int
	} `xml:"GetPolicyResult>Policy"`
	Versions []struct {
		VersionId, CreateDate string
		IsDefaultVersion      bool
	} `xml:"ListPolicyVersionsResult>Versions>member"`
	Version struct {
		VersionId, Document string
	} `xml:"GetPolicyVersionResult>PolicyVersion"`
}

type managedPolicyPage struct {
	policyXML
	Shown    string // the version shown
	Document string
	Errors   []string
}

func (c *Console) iamPolicy(w http.ResponseWriter, r *http.Request, s *state) {
	arn := r.FormValue("arn")
	var page managedPolicyPage
	for _, action := range []string{"GetPolicy", "ListPolicyVersions"} {
		if e := c.query(r, s.current(), "iam", url.Values{"Action": {action}, "PolicyArn": {arn}}, &page.policyXML); e != nil {
			page.Errors = append(page.Errors, action+": "+e.Code+": "+e.Message)
		}
	}
	page.Shown = r.FormValue("version")
	if page.Shown == "" {
		page.Shown = page.Policy.DefaultVersionId
	}
	if page.Shown != "" {
		params := url.Values{"Action": {"GetPolicyVersion"}, "PolicyArn": {arn}, "VersionId": {page.Shown}}
		if e := c.query(r, s.current(), "iam", params, &page.policyXML); e != nil {
			page.Errors = append(page.Errors, "GetPolicyVersion: "+e.Code+": "+e.Message)
		} else if doc, err := url.QueryUnescape(page.Version.Document); err == nil {
			page.Document = prettyJSON(doc)
		}
	}
	c.render(w, r, s, "managedpolicy", pageData{Title: "Policy " + page.Policy.PolicyName, Data: page})
}

// iamCreateUser creates a user; IAM's validation errors show inline.
func (c *Console) iamCreateUser(w http.ResponseWriter, r *http.Request, s *state) {
	if r.Method != http.MethodPost {
		http.Redirect(w, r, Prefix+"/iam", http.StatusSeeOther)
		return
	}
	name := strings.TrimSpace(r.FormValue("name"))
	params := url.Values{"Action": {"CreateUser"}, "UserName": {name}}
	if p := strings.TrimSpace(r.FormValue("path")); p != "" {
		params.Set("Path", p)
	}
	if e := c.query(r, s.current(), "iam", params, nil); e != nil {
		c.showRefusal(w, r, s, "createuser", "Create user", e, map[string]string{"Name": name, "Path": r.FormValue("path")})
		return
	}
	s.Flash = "User " + name + " created."
	c.save(w, r, s)
	http.Redirect(w, r, Prefix+"/iam/user?name="+url.QueryEscape(name), http.StatusSeeOther)
}

// iamCreatePolicy creates a customer managed policy; IAM's validation
// errors (MalformedPolicyDocument, ...) show inline.
func (c *Console) iamCreatePolicy(w http.ResponseWriter, r *http.Request, s *state) {
	if r.Method != http.MethodPost {
		c.render(w, r, s, "createpolicy", pageData{Title: "Create policy"})
		return
	}
	name, doc := strings.TrimSpace(r.FormValue("name")), r.FormValue("policy")
	var out struct {
		Arn string `xml:"CreatePolicyResult>Policy>Arn"`
	}
	params := url.Values{"Action": {"CreatePolicy"}, "PolicyName": {name}, "PolicyDocument": {doc}}
	if e := c.query(r, s.current(), "iam", params, &out); e != nil {
		c.showRefusal(w, r, s, "createpolicy", "Create policy", e, map[string]string{"Name": name, "Policy": doc})
		return
	}
	s.Flash = "Policy " + name + " created."
	c.save(w, r, s)
	http.Redirect(w, r, Prefix+"/iam/policy?arn="+url.QueryEscape(out.Arn), http.StatusSeeOther)
}
