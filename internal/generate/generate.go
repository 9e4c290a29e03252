// Package generate turns what a principal did, as the decision log
// recorded it, into the least-privilege identity policy that lets it do
// exactly that again (as IAM Access Analyzer's policy generation does from
// CloudTrail), lists what it was denied with the statement that would
// grant it, and compares what a principal is granted with what it used.
package generate

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/sekisho/sekisho/internal/audit"
)

// DefaultCollapseAbove is how many object keys (or listed prefixes) under
// one prefix are named one by one; more collapse to prefix/*.
const DefaultCollapseAbove = 3

// Event is one logged decision, as generation needs it.
type Event struct {
	Time      time.Time           `json:"time"`
	Principal string              `json:"principal"` // the caller's ARN (a session's for role sessions)
	Action    string              `json:"action"`
	Resource  string              `json:"resource"`
	Allowed   bool                `json:"allowed"`
	Decision  string              `json:"decision,omitempty"` // how it was denied
	Context   map[string][]string `json:"context,omitempty"`  // condition keys: aws:PrincipalArn, s3:prefix...
	// AccessKeyID is the key that signed the request ("" when unknown).
	AccessKeyID string `json:"access_key_id,omitempty"`
}

// FromExplanations turns decision-log explanations into events.
func FromExplanations(xs []audit.Explanation) []Event {
	out := make([]Event, len(xs))
	for i := range xs {
		x := &xs[i]
		out[i] = Event{Time: x.Time, Principal: x.Principal, Action: x.Action, Resource: x.Resource,
			Allowed: x.Decision == "allowed", Decision: x.Decision, Context: x.Context, AccessKeyID: x.AccessKeyID}
	}
	return out
}

// GroupBy chooses how statements gather what was used.
type GroupBy string

// Groupings: by resource (each resource with the actions used on it, the
// default) or by action (each action with the resources it was used on).
const (
	ByResource GroupBy = "resource"
	ByAction   GroupBy = "action"
)

// Options choose whose events count and how they are generalised.
type Options struct {
	// Principal is a role, user, role-session or federated-user ARN. For a
	// role session the policy is for its role, from that session's events.
	Principal string
	// SessionName keeps, for a role, the events of that session alone.
	SessionName string
	GroupBy     GroupBy
	// CollapseAbove: more than this many keys under one prefix become
	// prefix/* (DefaultCollapseAbove when 0).
	CollapseAbove int
}

// Result is a generated policy with what it is made of.
type Result struct {
	// For is the identity to attach the policy to: the role behind a
	// session, or the user.
	For      string    `json:"for"`
	Policy   Document  `json:"policy"`
	Events   int       `json:"events"`   // decisions of the principal read
	Sessions []string  `json:"sessions"` // role session names seen
	From     time.Time `json:"from"`
	To       time.Time `json:"to"`
	// Collapsed lists the prefixes whose keys became prefix/*.
	Collapsed []Collapse `json:"collapsed,omitempty"`
	// NotGranted lists what was denied (and never allowed), with the
	// statement that would grant it.
	NotGranted []Needed `json:"needed_but_not_granted,omitempty"`
}

// Collapse records one generalisation.
type Collapse struct {
	Pattern string `json:"pattern"`
	Keys    int    `json:"keys"`
}

// Needed is one denied request kind and the statement that would grant it.
type Needed struct {
	Action    string    `json:"action"`
	Resource  string    `json:"resource"`
	Decision  string    `json:"decision"`
	Count     int       `json:"count"`
	Statement Statement `json:"statement"`
	// ExplicitDeny: an Allow alone will not do; the Deny must go too.
	ExplicitDeny bool `json:"explicit_deny,omitempty"`
}

// Generate builds the policy for opts.Principal from events.
func Generate(events []Event, opts Options) (Result, error) {
	target, err := resolveTarget(opts.Principal, opts.SessionName)
	if err != nil {
		return Result{}, err
	}
	if opts.CollapseAbove <= 0 {
		opts.CollapseAbove = DefaultCollapseAbove
	}
	if opts.GroupBy == "" {
		opts.GroupBy = ByResource
	}
	if opts.GroupBy != ByResource && opts.GroupBy != ByAction {
		return Result{}, fmt.Errorf("generate: group by %q: want resource or action", opts.GroupBy)
	}
	res := Result{For: target.identity}
	var allowed, denied []Event
	sessions := map[string]bool{}
	for _, e := range events {
		if !target.matches(&e) {
			continue
		}
		if res.Events == 0 || e.Time.Before(res.From) {
			res.From = e.Time
		}
		if e.Time.After(res.To) {
			res.To = e.Time
		}
		res.Events++
		if s := sessionName(e.Principal); s != "" {
			sessions[s] = true
		}
		if e.Allowed {
			allowed = append(allowed, e)
		} else {
			denied = append(denied, e)
		}
	}
	res.Sessions = sortedKeys(sessions)
	grants, collapsed := generalise(allowed, opts.CollapseAbove)
	res.Collapsed = collapsed
	res.Policy = Document{Version: "2012-10-17", Statement: group(grants, opts.GroupBy)}
	res.NotGranted = notGranted(denied, allowed)
	return res, nil
}

// target is whose events count and what the policy is for.
type target struct {
	identity string // role or user ARN the policy is for
	// matchPrincipalArn compares aws:PrincipalArn (a session's role) with
	// identity; else the caller's ARN itself is compared.
	matchPrincipalArn bool
	session           string // a role session's name, "" for all
}

// resolveTarget reads the principal ARN asked for.
func resolveTarget(principal, session string) (target, error) {
	parts := strings.SplitN(principal, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" {
		return target{}, fmt.Errorf("generate: principal %q is not an ARN", principal)
	}
	res := parts[5]
	switch {
	case parts[2] == "iam" && strings.HasPrefix(res, "role/"):
		return target{identity: principal, matchPrincipalArn: true, session: session}, nil
	case parts[2] == "iam" && (strings.HasPrefix(res, "user/") || res == "root"):
		if session != "" {
			return target{}, fmt.Errorf("generate: --session-name applies to roles, not to %s", principal)
		}
		return target{identity: principal}, nil
	case parts[2] == "sts" && strings.HasPrefix(res, "assumed-role/"):
		role, sess, ok := strings.Cut(strings.TrimPrefix(res, "assumed-role/"), "/")
		if !ok || role == "" || sess == "" {
			return target{}, fmt.Errorf("generate: principal %q: want assumed-role/ROLE/SESSION", principal)
		}
		if session != "" && session != sess {
			return target{}, fmt.Errorf("generate: --session-name %q contradicts the session of %s", session, principal)
		}
		// The role's path is not in the session ARN: the events'
		// aws:PrincipalArn gives it (see matches).
		return target{identity: "arn:aws:iam::" + parts[4] + ":role/" + role, matchPrincipalArn: true, session: sess}, nil
	case parts[2] == "sts" && strings.HasPrefix(res, "federated-user/"):
		return target{identity: principal}, nil
	}
	return target{}, fmt.Errorf("generate: principal %q: want a role, user, assumed-role or federated-user ARN", principal)
}

// matches reports whether e was made by the target.
func (t *target) matches(e *Event) bool {
	if !t.matchPrincipalArn {
		return e.Principal == t.identity
	}
	pa := e.value("aws:PrincipalArn")
	if !sameRole(pa, t.identity) {
		return false
	}
	return t.session == "" || sessionName(e.Principal) == t.session
}

// sameRole compares role ARNs; a target without a path (from a session
// ARN) matches the role of that name whatever its path.
func sameRole(got, want string) bool {
	if got == want {
		return true
	}
	gi, wi := strings.Index(got, ":role/"), strings.Index(want, ":role/")
	if gi < 0 || wi < 0 || got[:gi] != want[:wi] || strings.Count(want[wi:], "/") != 1 {
		return false
	}
	return strings.EqualFold(got[strings.LastIndexByte(got, '/')+1:], want[wi+len(":role/"):])
}

// sessionName is the session of an assumed-role ARN, "" for others.
func sessionName(arn string) string {
	i := strings.Index(arn, ":assumed-role/")
	if i < 0 {
		return ""
	}
	rest := arn[i+len(":assumed-role/"):]
	return rest[strings.IndexByte(rest, '/')+1:]
}

// value is the first value of condition key k (keys compare
// case-insensitively, as IAM's do; the log writes them in lower case).
func (e *Event) value(k string) string {
	if v, ok := e.Context[k]; ok {
		return first(v)
	}
	if v, ok := e.Context[strings.ToLower(k)]; ok {
		return first(v)
	}
	for key, v := range e.Context {
		if strings.EqualFold(key, k) {
			return first(v)
		}
	}
	return ""
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// FromLog generates the policy from the decisions l holds between from
// and to (a zero to: no end): the console's "generate policy" button
// calls it in the server, `sekisho policy generate` over HTTP.
func FromLog(l *audit.Log, from, to time.Time, opts Options) (Result, error) {
	return Generate(FromExplanations(l.Details(from, to)), opts)
}
