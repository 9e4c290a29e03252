package console

import (
	"bytes"
	"net/http"
	"strings"
	"time"

	"github.com/sekisho/sekisho/internal/audit"
	"github.com/sekisho/sekisho/internal/generate"
)

// generatedPolicy is the "generate policy" page's data.
type generatedPolicy struct {
	Principal string
	Result    generate.Result
	JSON      string
	Summary   string
}

// canGenerateFor reports whether generation takes principal (a user,
// role, role session or federated user; not an anonymous caller or a
// service).
func canGenerateFor(principal string) bool {
	return strings.Contains(principal, ":user/") || strings.Contains(principal, ":role/") ||
		strings.Contains(principal, ":assumed-role/") || strings.Contains(principal, ":federated-user/")
}

// generatePolicy shows the least-privilege policy generated from the
// principal's logged decisions, as IAM Access Analyzer does from
// CloudTrail: only for an identity the engine lets read the log
// (cloudtrail:LookupEvents), and only from the decisions its account may
// see.
func (c *Console) generatePolicy(w http.ResponseWriter, r *http.Request, s *state) {
	const title = "Generated policy"
	if e := c.authorizeAs(r, s, lookupEvents); e != nil {
		c.showRefusal(w, r, s, "generate", title, e, nil)
		return
	}
	principal := strings.TrimSpace(r.FormValue("principal"))
	var events []audit.Explanation
	if c.cfg.Decisions != nil {
		for _, e := range c.cfg.Decisions.Details(time.Time{}, time.Time{}) {
			if visible(s.currentAccount(), e.Principal, e.Resource) {
				events = append(events, e)
			}
		}
	}
	res, err := generate.Generate(generate.FromExplanations(events), generate.Options{Principal: principal})
	if err != nil {
		c.renderStatus(w, r, http.StatusBadRequest, "generate", pageData{Title: title, S: s,
			Error: "ValidationException: " + strings.TrimPrefix(err.Error(), "generate: ")})
		return
	}
	doc, err := res.PolicyJSON()
	if err != nil {
		c.renderStatus(w, r, http.StatusInternalServerError, "generate", pageData{Title: title, S: s, Error: err.Error()})
		return
	}
	var summary bytes.Buffer
	res.WriteSummary(&summary)
	c.render(w, r, s, "generate", pageData{Title: title, Data: generatedPolicy{Principal: principal, Result: res,
		JSON: string(doc), Summary: summary.String()}})
}
