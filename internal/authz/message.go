package authz

import "strings"

// Message renders AWS's AccessDenied text for a denied decision, e.g.
//
//	User: arn:aws:iam::222222222222:user/alice is not authorized to perform:
//	s3:GetObject on resource: "arn:aws:s3:::b/k" because no identity-based
//	policy allows the s3:GetObject action
//
// S3 quotes the resource; other services do not. It returns "" when allowed.
func (d *Decision) Message() string {
	if d.Effect == Allowed {
		return ""
	}
	if d.Reason == reasonClosedAccount {
		// No policy denied: the account is closed, and AWS names no reason.
		return d.Subject()
	}
	var b strings.Builder
	b.WriteString(d.Subject())
	switch d.Effect {
	case ExplicitDeny:
		t := d.deciding[0].Type
		b.WriteString(" with an explicit deny in ")
		b.WriteString(t.article())
		b.WriteByte(' ')
		b.WriteString(t.String())
	default:
		if missing := d.Missing(); len(missing) > 0 {
			b.WriteString(" because no ")
			b.WriteString(missing[0].String())
			b.WriteString(" allows the ")
			b.WriteString(d.action)
			b.WriteString(" action")
		}
	}
	return b.String()
}

// Subject is the message without its reason: "User: … is not authorized
// to perform: … on resource: …". AWS answers cross-account and AssumeRole
// denials with this alone.
func (d *Decision) Subject() string {
	principal := d.principalARN
	if principal == "" {
		principal = "anonymous"
	}
	s := "User: " + principal + " is not authorized to perform: " + d.action
	switch {
	case d.resource == "" || d.resource == "*":
	case strings.HasPrefix(d.resource, "arn:aws:s3:"):
		s += ` on resource: "` + d.resource + `"`
	default:
		s += " on resource: " + d.resource
	}
	return s
}

// PrincipalARN is the ARN of the principal the decision is about.
func (d *Decision) PrincipalARN() string { return d.principalARN }
