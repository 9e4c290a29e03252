package sts

import (
	"context"
	"encoding/xml"
	"fmt"
	"strings"
	"time"

	"github.com/sekisho/sekisho/internal/access"
	"github.com/sekisho/sekisho/internal/arn"
	"github.com/sekisho/sekisho/internal/authz"
	"github.com/sekisho/sekisho/internal/awsproto"
	"github.com/sekisho/sekisho/internal/creds"
	"github.com/sekisho/sekisho/internal/policy"
)

// RootAccessOrganization is what AssumeRoot needs to know of the
// organization: who may open privileged root sessions, and in which
// accounts (IAM UG, Centralize root access for member accounts).
type RootAccessOrganization interface {
	// MayAssumeRootIn reports whether centralized root access is enabled
	// and caller is the management account or the IAM delegated
	// administrator of the organization target is a member account of.
	MayAssumeRootIn(ctx context.Context, caller, target string) (bool, error)
}

// SetRootAccess gives AssumeRoot the organization; without one AssumeRoot
// is refused, as for an account outside any organization.
func (s *Service) SetRootAccess(o RootAccessOrganization) { s.org = o }

const assumeRootMaxDuration = 900

type assumeRootResult struct {
	XMLName        xml.Name       `xml:"AssumeRootResult"`
	Credentials    credentialsXML `xml:"Credentials"`
	SourceIdentity string         `xml:"SourceIdentity,omitempty"`
}

// parseAssumeRoot validates AssumeRoot's parameters and returns the
// target account, the task policy's ARN and document, and the duration.
func parseAssumeRoot(p awsproto.Params) (target, taskARN, taskDoc string, duration int, e *awsproto.Error) {
	principal, e := p.Required("TargetPrincipal")
	if e != nil {
		return "", "", "", 0, e
	}
	if n := len(principal); n < 12 || n > 2048 {
		return "", "", "", 0, validationError(principal, "targetPrincipal", "Member must have length greater than or equal to 12")
	}
	if target = targetAccount(principal); target == "" {
		return "", "", "", 0, awsproto.ValidationError("The TargetPrincipal must be an account id or the ARN of a member account's root user.")
	}
	taskARN = p.Get("TaskPolicyArn.arn")
	if taskARN == "" {
		return "", "", "", 0, awsproto.ValidationError("1 validation error detected: Value null at 'taskPolicyArn' failed to satisfy constraint: Member must not be null")
	}
	taskDoc, ok := rootTaskPolicies[taskARN]
	if !ok {
		return "", "", "", 0, awsproto.ValidationError("The TaskPolicyArn %s is not one of the AWS managed root-task policies.", taskARN)
	}
	if duration, e = p.Int("DurationSeconds", assumeRootMaxDuration); e != nil {
		return "", "", "", 0, e
	}
	if duration < 0 || duration > assumeRootMaxDuration {
		return "", "", "", 0, validationError(fmt.Sprint(duration), "durationSeconds", "Member must have value less than or equal to 900")
	}
	return target, taskARN, taskDoc, duration, nil
}

// targetAccount reads an account id or a root ARN; "" when it is neither.
func targetAccount(principal string) string {
	if arn.IsAccountID(principal) {
		return principal
	}
	a, err := arn.Parse(principal)
	if err != nil || a.Service != "iam" || a.Resource != "root" || !arn.IsAccountID(a.Account) {
		return ""
	}
	return a.Account
}

// assumeRoot opens a short privileged session as a member account's root
// user, scoped by an AWS-managed task policy, for a principal of the
// management account (or the delegated administrator for IAM) that is
// allowed sts:AssumeRoot.
func (s *Service) assumeRoot(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	target, taskARN, taskDoc, duration, e := parseAssumeRoot(call.Params)
	if e != nil {
		return nil, e
	}
	c := call.Caller
	if c.Principal.Type == policy.PrincipalRoot {
		return nil, awsproto.AccessDenied("You cannot use root user credentials to call AssumeRoot.")
	}
	targetRoot := access.RootARN(target)
	denied := awsproto.AccessDenied(fmt.Sprintf("User: %s is not authorized to perform: sts:AssumeRoot on resource: %s", c.Principal.ARN, targetRoot))
	if s.org == nil {
		return nil, denied
	}
	if ok, err := s.org.MayAssumeRootIn(ctx, c.Principal.Account, target); err != nil {
		return nil, s.internal(err)
	} else if !ok {
		return nil, denied
	}
	reqCtx := call.Context.Clone()
	reqCtx.Set("sts:TaskPolicyArn", taskARN)
	d, err := s.gate.Authorize(ctx, c, access.Check{Action: "sts:AssumeRoot", Resource: targetRoot,
		Context: reqCtx, RequestID: call.RequestID, TargetAccount: target}) // a closed target denies
	if err != nil {
		return nil, s.internal(err)
	}
	if d.Effect != authz.Allowed {
		return nil, awsproto.AccessDenied(d.Message())
	}
	sourceIdentity := ""
	if c.Session != nil {
		sourceIdentity = c.Session.SourceIdentity
	}
	now := s.gate.Now().UTC().Truncate(time.Second)
	sess := &creds.Session{
		AccessKeyID: creds.NewAccessKeyIDFor(true, target), SecretAccessKey: creds.NewSecretKey(),
		Account: target, Kind: creds.RootTask, UserARN: targetRoot, UserID: target,
		SessionName: taskName(taskARN), SessionPolicy: taskDoc, SourceIdentity: sourceIdentity,
		IssuedAt: now, Expires: now.Add(time.Duration(duration) * time.Second),
	}
	token, err := s.gate.Sealer().Seal(sess)
	if err != nil {
		return nil, s.internal(err)
	}
	return assumeRootResult{
		Credentials: credentialsXML{AccessKeyID: sess.AccessKeyID, SecretAccessKey: sess.SecretAccessKey,
			SessionToken: token, Expiration: sess.Expires.Format(awsproto.Timestamp)},
		SourceIdentity: sourceIdentity,
	}, nil
}

// taskName is the task policy's name, kept in the session for the logs.
func taskName(taskARN string) string { return taskARN[strings.LastIndexByte(taskARN, '/')+1:] }
