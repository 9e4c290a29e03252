package console

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sekisho/sekisho/internal/audit"
)

// roleColors are the Switch Role form's colours, by the hex value the
// console's shareable link carries.
var roleColors = map[string]string{
	"F2B0A9": "red", "FBBF93": "orange", "FAD791": "yellow", "B7CA9D": "green", "99BCE3": "blue",
}

// colorChoices lists them in the form's order.
var colorChoices = []struct{ Hex, Name string }{
	{"F2B0A9", "red"}, {"FBBF93", "orange"}, {"FAD791", "yellow"}, {"B7CA9D", "green"}, {"99BCE3", "blue"},
}

var hexColorPattern = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

func hexColor(s string) bool { return hexColorPattern.MatchString(s) }

// maxDisplayName is the Switch Role form's limit on a display name.
const maxDisplayName = 64

// msgSwitchFailed is the console's answer to a refused switch.
const msgSwitchFailed = "Invalid information in one or more fields. Check your information or contact your administrator."

type switchForm struct {
	roleRef
	Colors  any
	Code    string // the STS error code of a refused switch
	Message string // and its message
}

type assumeRoleXML struct {
	Credentials struct {
		AccessKeyID     string `xml:"AccessKeyId"`
		SecretAccessKey string `xml:"SecretAccessKey"`
		SessionToken    string `xml:"SessionToken"`
		Expiration      string `xml:"Expiration"`
	} `xml:"AssumeRoleResult>Credentials"`
	AssumedRoleUser struct {
		Arn string `xml:"Arn"`
	} `xml:"AssumeRoleResult>AssumedRoleUser"`
}

// switchRole shows the Switch Role form (filled from a shared link) and
// switches with sts:AssumeRole as the signed-in user.
func (c *Console) switchRole(w http.ResponseWriter, r *http.Request, s *state) {
	ref := roleRef{Account: strings.TrimSpace(r.FormValue("account")), Name: strings.TrimSpace(r.FormValue("roleName")),
		Display: strings.TrimSpace(r.FormValue("displayName")), Color: strings.TrimPrefix(r.FormValue("color"), "#")}
	if _, ok := roleColors[strings.ToUpper(ref.Color)]; ok {
		ref.Color = strings.ToUpper(ref.Color)
	} else {
		ref.Color = ""
	}
	form := switchForm{roleRef: ref, Colors: colorChoices}
	if r.Method != http.MethodPost {
		c.render(w, r, s, "switchrole", pageData{Title: "Switch Role", Data: form})
		return
	}
	if ref.Account == "" || ref.Name == "" {
		c.renderStatus(w, r, http.StatusBadRequest, "switchrole", pageData{Title: "Switch Role", S: s, Data: form,
			Error: "Account and Role are required."})
		return
	}
	if utf8.RuneCountInString(ref.Display) > maxDisplayName {
		// The form says so too (maxlength); a longer name would swell
		// the session cookie past what browsers keep.
		c.renderStatus(w, r, http.StatusBadRequest, "switchrole", pageData{Title: "Switch Role", S: s, Data: form,
			Error: "The display name can be at most 64 characters."})
		return
	}
	accountID := ref.Account
	if a, ok := c.resolveAccount(r.Context(), ref.Account); ok {
		accountID = a.ID
	}
	if ref.Display == "" {
		ref.Display = ref.Name + " @ " + ref.Account
	}
	// The switch is made as the signed-in user, never as the current role
	// session: console sessions do not chain roles.
	params := url.Values{"Action": {"AssumeRole"}, "RoleArn": {"arn:aws:iam::" + accountID + ":role/" + ref.Name},
		"RoleSessionName": {s.User}, "DurationSeconds": {"3600"}}
	var out assumeRoleXML
	if e := c.query(r, s.Cred, "sts", params, &out); e != nil {
		form.Code, form.Message = e.Code, e.Message
		c.renderStatus(w, r, http.StatusForbidden, "switchrole", pageData{Title: "Switch Role", S: s, Data: form,
			Error: msgSwitchFailed, Explanation: c.explain(e.RequestID)})
		return
	}
	expires, err := time.Parse(time.RFC3339, out.Credentials.Expiration)
	if err != nil {
		expires = c.cfg.Now().Add(roleLifetime)
	}
	ref.Account = accountID
	s.Role = &roleState{roleRef: ref, ARN: out.AssumedRoleUser.Arn, Expires: expires,
		Cred: credential{AccessKeyID: out.Credentials.AccessKeyID, Secret: out.Credentials.SecretAccessKey, Token: out.Credentials.SessionToken}}
	s.Flash = "You are now " + ref.Display + " (" + s.Role.ARN + ")."
	c.rememberRole(w, r, ref)
	c.save(w, r, s)
	http.Redirect(w, r, Prefix+"/", http.StatusSeeOther)
}

// switchBack returns to the signed-in user.
func (c *Console) switchBack(w http.ResponseWriter, r *http.Request, s *state) {
	if r.Method == http.MethodPost && s.Role != nil {
		s.Role = nil
		s.Flash = "You are back to " + s.User + "."
		c.save(w, r, s)
	}
	http.Redirect(w, r, Prefix+"/", http.StatusSeeOther)
}

// explain looks up the decisions behind a refused request.
func (c *Console) explain(requestID string) []audit.Explanation {
	if requestID == "" || c.cfg.Decisions == nil {
		return nil
	}
	all, _ := c.cfg.Decisions.Explain(requestID)
	// A request refused for another reason (a malformed document, say)
	// was allowed by the engine: its explanation would only mislead.
	var denied []audit.Explanation
	for _, e := range all {
		if e.Decision != "allowed" {
			denied = append(denied, e)
		}
	}
	return denied
}
