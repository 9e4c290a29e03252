package audit

import (
	"fmt"
	"strings"

	"github.com/sekisho/sekisho/internal/authz"
)

// blockPublicAccessPrefix starts the Reason of a decision S3 Block Public
// Access made: "block-public-access:<setting>:<levels>".
const blockPublicAccessPrefix = "block-public-access:"

// BlockPublicAccessReason is the decision Reason of a denial caused by the
// Block Public Access setting (BlockPublicPolicy, RestrictPublicBuckets,
// BlockPublicAcls, IgnorePublicAcls) on at levels ("account", "bucket" or
// "account and bucket").
func BlockPublicAccessReason(setting, levels string) string {
	return blockPublicAccessPrefix + setting + ":" + levels
}

// parseBlockPublicAccess splits a Reason made by BlockPublicAccessReason.
func parseBlockPublicAccess(reason string) (setting, levels string, ok bool) {
	rest, ok := strings.CutPrefix(reason, blockPublicAccessPrefix)
	if !ok {
		return "", "", false
	}
	setting, levels, ok = strings.Cut(rest, ":")
	return setting, levels, ok
}

// explainBlockPublicAccess fills in what a Block Public Access denial
// needs said: the setting, its level, and what it did to the request.
func explainBlockPublicAccess(x *Explanation, req *authz.Request, d *authz.Decision) bool {
	setting, levels, ok := parseBlockPublicAccess(d.Reason)
	if !ok || d.Effect == authz.Allowed {
		return false
	}
	owner := resourceAccount(req)
	where := fmt.Sprintf("the %s level", levels)
	if strings.Contains(levels, "account") {
		where += fmt.Sprintf(" (account %s, the bucket owner)", owner)
	}
	x.Deciding = append(x.Deciding, fmt.Sprintf("Block Public Access setting %s, on at %s", setting, where))
	switch setting {
	case "BlockPublicPolicy":
		x.Message = fmt.Sprintf("%s is not authorized to perform %s on %s because public policies are blocked by the BlockPublicPolicy block public access setting (on at %s).",
			principalName(req), req.Action, req.Resource, where)
		x.Advice = fmt.Sprintf("The policy is public (it grants to everyone without a condition fixing aws:SourceIp, aws:SourceVpc, aws:PrincipalAccount, aws:PrincipalOrgID or another documented key). Narrow it, or turn BlockPublicPolicy off at %s%s.",
			where, turnOffHint(levels, owner))
	case "RestrictPublicBuckets":
		x.Message = fmt.Sprintf("Denied by Block Public Access: RestrictPublicBuckets is on at %s and the bucket policy is public, so it grants nothing to %s; only principals of account %s and AWS services keep access through it.",
			where, principalName(req), owner)
		x.Advice = fmt.Sprintf("Make the bucket policy non-public (name the principals, or fix aws:SourceIp, aws:PrincipalOrgID or another documented key in a condition), or turn RestrictPublicBuckets off at %s%s.",
			where, turnOffHint(levels, owner))
	default:
		x.Message = fmt.Sprintf("Denied by Block Public Access: %s is on at %s.", setting, where)
		x.Advice = fmt.Sprintf("Turn %s off at %s%s, or make the grant non-public.", setting, where, turnOffHint(levels, owner))
	}
	return true
}

// turnOffHint names the calls that change the setting at each level.
func turnOffHint(levels, account string) string {
	var calls []string
	if strings.Contains(levels, "bucket") {
		calls = append(calls, "s3api put-public-access-block (bucket)")
	}
	if strings.Contains(levels, "account") {
		calls = append(calls, "s3control put-public-access-block --account-id "+account)
	}
	return " (" + strings.Join(calls, "; ") + ")"
}
