package authz

import "github.com/sekisho/sekisho/internal/policy"

// closedAccountPolicy stands for what closing an account does to it: AWS
// makes a closed account's resources unavailable to everyone and lets no
// one assume its roles. It is one pointer, so that a decision it made can
// be told apart from one a real control policy made.
var closedAccountPolicy = func() *policy.Policy {
	p, err := policy.Parse(`{"Version":"2012-10-17","Statement":{"Sid":"AccountClosed","Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}}`, policy.RCP)
	if err != nil {
		panic(err)
	}
	return p
}()

// ClosedAccount is the source that denies every request reaching a
// resource of account, closed with status (SUSPENDED or PENDING_CLOSURE).
// It rides with the resource control policies, as it bounds the
// account's resources whoever the caller is, anonymous callers included.
func ClosedAccount(account, status string) Source {
	return Source{Name: "account " + account + " is closed (" + status + ")", Policy: closedAccountPolicy}
}

// IsClosedAccount reports whether s is a ClosedAccount source.
func (s *Source) IsClosedAccount() bool { return s != nil && s.Policy == closedAccountPolicy }

// reasonClosedAccount is the Reason of a decision ClosedAccount denied.
const reasonClosedAccount = "account-closed"

// AccountClosed reports whether d was denied because the resource's
// account is closed (S3 answers such requests AllAccessDisabled).
func (d *Decision) AccountClosed() bool { return d.Reason == reasonClosedAccount }
