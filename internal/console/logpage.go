package console

import (
	"net/http"
	"sort"
	"strings"

	"github.com/sekisho/sekisho/internal/arn"
	"github.com/sekisho/sekisho/internal/audit"
)

type decisionFilter struct {
	Account, Principal string
	DeniedOnly         bool
}

type decisionPage struct {
	Filter    decisionFilter
	Decisions []audit.Summary
	// Principals are the distinct principals shown, each with its
	// "generate policy" link.
	Principals []string
}

// accountOf is the account in an ARN, or "".
func accountOf(s string) string {
	a, err := arn.Parse(s)
	if err != nil {
		return ""
	}
	return a.Account
}

// visible reports whether the current account may see a decision: its
// principal or its resource is the account's.
func visible(account, principal, resource string) bool {
	return accountOf(principal) == account || accountOf(resource) == account ||
		strings.Contains(resource, ":"+account+":")
}

func (c *Console) decisionLog(w http.ResponseWriter, r *http.Request, s *state) {
	if e := c.authorizeAs(r, s, lookupEvents); e != nil {
		c.showRefusal(w, r, s, "decisions", "Decision log", e, nil)
		return
	}
	f := decisionFilter{Account: strings.TrimSpace(r.FormValue("account")), Principal: strings.TrimSpace(r.FormValue("principal")),
		DeniedOnly: r.FormValue("denied") != ""}
	page := decisionPage{Filter: f}
	account := s.currentAccount()
	if c.cfg.Decisions != nil {
		for _, d := range c.cfg.Decisions.List(audit.Filter{DeniedOnly: f.DeniedOnly, Limit: 2000}) {
			if !visible(account, d.Principal, d.Resource) {
				continue
			}
			if f.Account != "" && accountOf(d.Principal) != f.Account && accountOf(d.Resource) != f.Account {
				continue
			}
			if f.Principal != "" && !strings.Contains(strings.ToLower(d.Principal), strings.ToLower(f.Principal)) {
				continue
			}
			page.Decisions = append(page.Decisions, d)
			if len(page.Decisions) == 200 {
				break
			}
		}
	}
	seen := map[string]bool{}
	for _, d := range page.Decisions {
		if !seen[d.Principal] && canGenerateFor(d.Principal) {
			seen[d.Principal] = true
			page.Principals = append(page.Principals, d.Principal)
		}
	}
	sort.Strings(page.Principals)
	c.render(w, r, s, "decisions", pageData{Title: "Decision log", Data: page})
}

func (c *Console) decisionExplain(w http.ResponseWriter, r *http.Request, s *state) {
	if e := c.authorizeAs(r, s, lookupEvents); e != nil {
		c.showRefusal(w, r, s, "explain", "Decision", e, nil)
		return
	}
	var shown, all []audit.Explanation
	if c.cfg.Decisions != nil {
		all, _ = c.cfg.Decisions.Explain(r.FormValue("id"))
	}
	for _, e := range all {
		if visible(s.currentAccount(), e.Principal, e.Resource) {
			shown = append(shown, e)
		}
	}
	if len(shown) == 0 {
		c.renderStatus(w, r, http.StatusNotFound, "explain", pageData{Title: "Decision", S: s, Error: "No decision of your account has this request id."})
		return
	}
	c.render(w, r, s, "explain", pageData{Title: "Decision " + r.FormValue("id"), Explanation: shown})
}
