package iam

import (
	"errors"
	"strings"

	"github.com/sekisho/sekisho/internal/arn"
	"github.com/sekisho/sekisho/internal/awsproto"
	"github.com/sekisho/sekisho/internal/policy"
	"github.com/sekisho/sekisho/internal/store"
)

// Policy documents and policy ARNs as IAM validates them.

// documentError maps a policy parse failure to IAM's error: the policy
// package's Message is AWS's wording.
func documentError(err error) *awsproto.Error {
	var pe *policy.Error
	if !errors.As(err, &pe) {
		return malformedPolicy("Syntax errors in policy.")
	}
	if pe.ErrorCode() == policy.CodeLimitExceeded {
		return limitExceeded("%s", pe.Message)
	}
	return malformedPolicy(pe.Message)
}

// checkIdentityDocument validates a managed policy document (6,144
// characters without white space).
func checkIdentityDocument(doc string) (*policy.Policy, *awsproto.Error) {
	p, err := policy.Parse(doc, policy.Identity)
	if err != nil {
		return nil, documentError(err)
	}
	return p, nil
}

// checkTrustDocument validates a role's trust policy. Its quota has its
// own name in AWS's message.
func checkTrustDocument(doc string) *awsproto.Error {
	_, err := policy.Parse(doc, policy.Trust)
	var pe *policy.Error
	if errors.As(err, &pe) && pe.ErrorCode() == policy.CodeLimitExceeded {
		return limitExceeded("Cannot exceed quota for ACLSizePerRole: %d", policy.MaxTrustPolicySize)
	}
	if err != nil {
		return documentError(err)
	}
	return nil
}

// parsePolicyARN checks that s is a managed policy ARN and returns its
// account ("aws" for AWS managed policies).
func parsePolicyARN(s string) (string, *awsproto.Error) {
	a, err := arn.Parse(s)
	valid := err == nil && a.Partition == "aws" && a.Service == "iam" && a.Region == "" &&
		(a.Account == "aws" || arn.IsAccountID(a.Account)) &&
		strings.HasPrefix(a.Resource, "policy/") && !strings.HasSuffix(a.Resource, "/")
	if !valid {
		return "", invalidInput("ARN %s is not valid.", s)
	}
	return a.Account, nil
}

// usablePolicy reports whether a caller of account may attach (or use as
// a boundary) the policy of policyAccount: its own or AWS's.
func usablePolicy(account, policyAccount string) bool {
	return policyAccount == account || policyAccount == "aws"
}

// checkBoundaryARN validates a PermissionsBoundary parameter's form.
func checkBoundaryARN(boundary string) *awsproto.Error {
	if boundary == "" {
		return nil
	}
	_, e := parsePolicyARN(boundary)
	return e
}

// checkBoundary makes sure a permissions boundary is a managed policy the
// account can use.
func checkBoundary(tx store.Tx, account, boundary string) error {
	if boundary == "" {
		return nil
	}
	missing := noSuchEntity("Scope ARN: %s does not exist or is not attachable.", boundary)
	owner, e := parsePolicyARN(boundary)
	if e != nil {
		return e
	}
	if !usablePolicy(account, owner) {
		return missing
	}
	_, err := tx.GetPolicy(boundary)
	return orNotFound(err, missing)
}

// boundaryContext is the iam:PermissionsBoundary condition key of calls
// that set a boundary.
func boundaryContext(boundary string) map[string][]string {
	if boundary == "" {
		return nil
	}
	return map[string][]string{"iam:PermissionsBoundary": {boundary}}
}
