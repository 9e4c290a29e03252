package audit

import (
	"fmt"
	"strings"

	"github.com/sekisho/sekisho/internal/authz"
)

// explainClosedAccount says why a request reaching a closed account was
// denied: no policy did it, and none can undo it, so the usual advice
// (remove the deny) would mislead.
func explainClosedAccount(x *Explanation, req *authz.Request, d *authz.Decision) bool {
	if d.Effect != authz.ExplicitDeny {
		return false
	}
	closure := d.Statements()[0].Source
	if !closure.IsClosedAccount() {
		return false
	}
	what := "its resources are unavailable to every caller"
	if strings.HasPrefix(req.Action, "sts:AssumeRo") {
		what = "no one can assume its roles or its root"
	}
	x.Message = fmt.Sprintf("Denied: %s, so %s; %s was refused %s on %s whatever the policies say.",
		closure.Name, what, principalName(req), req.Action, req.Resource)
	x.Advice = "No policy can allow this: the account was closed (organizations:CloseAccount). " +
		"AWS reopens a closed account only through AWS Support, within 90 days of its closing."
	return true
}
