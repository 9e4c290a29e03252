package iam

import (
	"encoding/json"
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

// checkTrustPrincipals rejects, as AWS does, a trust policy naming a user
// or role that does not exist. Only accounts this emulator holds can be
// checked; principals in other accounts are taken on trust.
func checkTrustPrincipals(tx store.Tx, doc string) error {
	for _, value := range awsPrincipals(doc) {
		exists, err := principalExists(tx, value)
		if err != nil {
			return err
		}
		if !exists {
			return malformedPolicy(`Invalid principal in policy: "AWS":"` + value + `"`)
		}
	}
	return nil
}

// principalExists reports whether a user or role ARN names an entity of a
// known account; anything else (account ids, root ARNs, unknown accounts)
// counts as existing.
func principalExists(tx store.Tx, value string) (bool, error) {
	a, err := arn.Parse(value)
	if err != nil || a.Service != "iam" {
		return true, nil
	}
	kind, rest, ok := strings.Cut(a.Resource, "/")
	if !ok || (kind != "user" && kind != "role") {
		return true, nil
	}
	if _, err := tx.GetAccount(a.Account); errors.Is(err, store.ErrNotFound) {
		return true, nil
	} else if err != nil {
		return false, err
	}
	full := "/" + rest
	slash := strings.LastIndexByte(full, '/')
	path, name := full[:slash+1], full[slash+1:]
	var stored string
	if kind == "user" {
		var u store.User
		u, err = tx.GetUser(a.Account, name)
		stored = u.Path
	} else {
		var r store.Role
		r, err = tx.GetRole(a.Account, name)
		stored = r.Path
	}
	switch {
	case errors.Is(err, store.ErrNotFound):
		return false, nil
	case err != nil:
		return false, err
	}
	return stored == path, nil
}

// awsPrincipals returns every "AWS" principal value of a valid document's
// statements.
func awsPrincipals(doc string) []string {
	var d struct {
		Statement json.RawMessage
	}
	if json.Unmarshal([]byte(doc), &d) != nil {
		return nil
	}
	var statements []struct{ Principal json.RawMessage }
	if json.Unmarshal(d.Statement, &statements) != nil {
		var one struct{ Principal json.RawMessage }
		if json.Unmarshal(d.Statement, &one) != nil {
			return nil
		}
		statements = append(statements, one)
	}
	var out []string
	for _, st := range statements {
		var p struct{ AWS json.RawMessage }
		if json.Unmarshal(st.Principal, &p) != nil || p.AWS == nil {
			continue
		}
		out = append(out, stringOrList(p.AWS)...)
	}
	return out
}

func stringOrList(raw json.RawMessage) []string {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}
	}
	var many []string
	_ = json.Unmarshal(raw, &many)
	return many
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
