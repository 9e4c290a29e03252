package generate

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/sekisho/sekisho/internal/arn"
	"github.com/sekisho/sekisho/internal/authz"
	"github.com/sekisho/sekisho/internal/policy"
)

// DiffInput is what Diff compares.
type DiffInput struct {
	// Principal is a role or user ARN (a role session's ARN stands for
	// its role).
	Principal string
	// Request carries the principal, its neutral context, identity
	// policies and boundary (analyze.Snapshot.Request); SCPs are added.
	Request *authz.Request
	SCPs    []authz.Source
	// Actions is every action the services implement (from their
	// operation tables).
	Actions []string
	Events  []Event
	// Credentials are the principal's credentials whose last use is
	// reported: its access keys and password (users), from the store.
	Credentials []Credential
}

// Credential is one thing whose last use is reported.
type Credential struct {
	Kind     string    `json:"kind"` // role, user, access-key, password
	ID       string    `json:"id"`
	LastUsed time.Time `json:"last_used,omitzero"` // zero: never (as far as Sekisho saw)
	Service  string    `json:"service,omitempty"`  // of the last use
}

// Grant is one action the principal is granted on one resource pattern,
// and whether what it did used it.
type Grant struct {
	Action   string    `json:"action"`
	Resource string    `json:"resource"`
	Used     bool      `json:"used"`
	LastUsed time.Time `json:"last_used,omitzero"`
}

// DiffResult is the principal's effective permissions against its use:
// what Access Analyzer reports as unused access.
type DiffResult struct {
	For             string       `json:"for"`
	Granted         []Grant      `json:"granted"`
	UnusedActions   []string     `json:"unused_actions"`
	UnusedResources []string     `json:"unused_resources"`
	UsedActions     []string     `json:"used_actions"`
	LastUsed        []Credential `json:"last_used"`
}

// Diff lists what in.Request's policies grant (every action of
// in.Actions on every resource its identity policies name, decided by
// the engine with the boundary and SCPs, in a neutral context: grants
// that need request keys such as aws:SourceIp are not counted), which of
// those grants the principal's allowed requests used, and when each of
// its credentials was last used.
func Diff(in DiffInput) (DiffResult, error) {
	t, err := resolveTarget(in.Principal, "")
	if err != nil {
		return DiffResult{}, err
	}
	if in.Request == nil {
		return DiffResult{}, fmt.Errorf("generate: diff of %s: no policies given", in.Principal)
	}
	res := DiffResult{For: t.identity}
	var mine []Event
	for _, e := range in.Events {
		if t.matches(&e) {
			mine = append(mine, e)
		}
	}
	candidates := grantedResources(in.Request)
	usedActions := map[string]bool{}
	usedResources := map[string]bool{}
	grantedActions := map[string]bool{}
	for _, action := range in.Actions {
		for _, resource := range candidates {
			if !allows(in.Request, in.SCPs, action, resource) {
				continue
			}
			g := Grant{Action: action, Resource: resource}
			for _, e := range mine {
				if e.Allowed && strings.EqualFold(e.Action, action) && arn.Glob(resource, e.Resource) {
					g.Used = true
					g.LastUsed = later(g.LastUsed, e.Time)
				}
			}
			grantedActions[action] = true
			if g.Used {
				usedActions[action], usedResources[resource] = true, true
			}
			res.Granted = append(res.Granted, g)
		}
	}
	for a := range grantedActions {
		if !usedActions[a] {
			res.UnusedActions = append(res.UnusedActions, a)
		}
	}
	for _, r := range candidates {
		if !usedResources[r] && grantsAny(res.Granted, r) {
			res.UnusedResources = append(res.UnusedResources, r)
		}
	}
	res.UsedActions = sortedKeys(usedActions)
	sort.Strings(res.UnusedActions)
	res.LastUsed = lastUses(t, mine, in.Credentials)
	return res, nil
}

// grantedResources are the resources the identity policies' Allow
// statements name ("*" for NotResource), where grants can be.
func grantedResources(req *authz.Request) []string {
	set := map[string]bool{}
	for _, src := range req.Identity {
		for i := range src.Policy.Statements {
			st := &src.Policy.Statements[i]
			if st.Effect != policy.Allow {
				continue
			}
			patterns, not := st.ResourcePatterns()
			if not {
				set["*"] = true
				continue
			}
			for _, p := range patterns {
				set[p] = true
			}
		}
	}
	return sortedKeys(set)
}

// allows asks the engine whether the principal may perform action on
// resource (a pattern, standing for itself).
func allows(tmpl *authz.Request, scps []authz.Source, action, resource string) bool {
	req := *tmpl
	req.Action, req.Resource, req.SCPs = action, resource, scps
	d := authz.Evaluate(&req)
	return d.Effect == authz.Allowed
}

func grantsAny(gs []Grant, resource string) bool {
	for _, g := range gs {
		if g.Resource == resource {
			return true
		}
	}
	return false
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// lastUses reports the identity's last use and each credential's: the
// later of what the store recorded and what the events show.
func lastUses(t target, events []Event, creds []Credential) []Credential {
	kind := "user"
	if t.matchPrincipalArn {
		kind = "role"
	}
	self := Credential{Kind: kind, ID: t.identity}
	keys := map[string]time.Time{}
	for _, e := range events {
		self.LastUsed = later(self.LastUsed, e.Time)
		if e.AccessKeyID != "" {
			keys[e.AccessKeyID] = later(keys[e.AccessKeyID], e.Time)
		}
	}
	out := []Credential{self}
	for _, c := range creds {
		if c.Kind == kind && c.ID == t.identity {
			out[0].LastUsed = later(out[0].LastUsed, c.LastUsed)
			continue
		}
		c.LastUsed = later(c.LastUsed, keys[c.ID])
		out = append(out, c)
	}
	return out
}

// WriteSummary writes the diff for a person.
func (d *DiffResult) WriteSummary(w io.Writer) {
	fmt.Fprintf(w, "Effective permissions of %s (IAM, STS and S3) against its use:\n", d.For)
	fmt.Fprintf(w, "  granted: %d action(s), used: %d\n", len(distinctActions(d.Granted)), len(d.UsedActions))
	if len(d.UsedActions) > 0 {
		fmt.Fprintf(w, "  used actions: %s\n", strings.Join(d.UsedActions, ", "))
	}
	fmt.Fprintf(w, "Unused access (granted, never used): %d action(s)\n", len(d.UnusedActions))
	for _, service := range groupByService(d.UnusedActions) {
		fmt.Fprintf(w, "  %s: %s\n", service[0], strings.Join(service[1:], ", "))
	}
	if len(d.UnusedResources) > 0 {
		fmt.Fprintf(w, "Unused resources (granted, never touched): %s\n", strings.Join(d.UnusedResources, ", "))
	}
	fmt.Fprintln(w, "Last used:")
	for _, c := range d.LastUsed {
		when := "never"
		if !c.LastUsed.IsZero() {
			when = c.LastUsed.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(w, "  %-10s %s: %s\n", c.Kind, c.ID, when)
	}
}

func distinctActions(gs []Grant) map[string]bool {
	out := map[string]bool{}
	for _, g := range gs {
		out[g.Action] = true
	}
	return out
}

// groupByService splits sorted actions by service: each entry is the
// service followed by its action names.
func groupByService(actions []string) [][]string {
	var out [][]string
	for _, a := range actions {
		service, name, _ := strings.Cut(a, ":")
		if len(out) == 0 || out[len(out)-1][0] != service {
			out = append(out, []string{service})
		}
		out[len(out)-1] = append(out[len(out)-1], name)
	}
	return out
}
