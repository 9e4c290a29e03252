package organizations

import (
	"crypto/rand"
	"errors"
	"math/big"
	"strings"

	"github.com/sekisho/sekisho/internal/store"
)

// Policy types and the AWS managed policies AWS attaches for them.
const (
	typeSCP = "SERVICE_CONTROL_POLICY"
	typeRCP = "RESOURCE_CONTROL_POLICY"

	fullAWSAccessID    = "p-FullAWSAccess"
	rcpFullAWSAccessID = "p-RCPFullAWSAccess"
)

// awsManaged are the AWS managed control policies, by id.
var awsManaged = map[string]store.OrgPolicy{
	fullAWSAccessID: {ID: fullAWSAccessID, Name: "FullAWSAccess", Type: typeSCP,
		Description: "Allows access to every operation",
		Content:     `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`},
	rcpFullAWSAccessID: {ID: rcpFullAWSAccessID, Name: "RCPFullAWSAccess", Type: typeRCP,
		Description: "Allows access to every operation",
		Content:     `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`},
}

// defaultPolicy is the AWS managed policy of a policy type.
var defaultPolicy = map[string]string{typeSCP: fullAWSAccessID, typeRCP: rcpFullAWSAccessID}

// org wraps a stored organization with lookups.
type org struct {
	*store.Organization
}

func (o *org) arn(kind, rest string) string {
	return "arn:aws:organizations::" + o.ManagementAccount + ":" + kind + "/" + o.ID + rest
}

func (o *org) orgARN() string                { return o.arn("organization", "") }
func (o *org) rootARN() string               { return o.arn("root", "/"+o.RootID) }
func (o *org) accountARN(id string) string   { return o.arn("account", "/"+id) }
func (o *org) unitARN(id string) string      { return o.arn("ou", "/"+id) }
func (o *org) handshakeARN(id string) string { return o.arn("handshake", "/invite/"+id) }

func (o *org) policyARN(p store.OrgPolicy) string {
	kind := "policy/" + strings.ToLower(p.Type)
	if _, managed := awsManaged[p.ID]; managed {
		return "arn:aws:organizations::aws:" + kind + "/" + p.ID
	}
	return o.arn("policy", "/"+strings.ToLower(p.Type)+"/"+p.ID)
}

// targetARN is the ARN of a root, unit or account id ("" if unknown).
func (o *org) targetARN(id string) string {
	switch {
	case id == o.RootID:
		return o.rootARN()
	case o.unit(id) >= 0:
		return o.unitARN(id)
	case o.account(id) >= 0:
		return o.accountARN(id)
	}
	return ""
}

func (o *org) unit(id string) int {
	for i, u := range o.Units {
		if u.ID == id {
			return i
		}
	}
	return -1
}

func (o *org) account(id string) int {
	for i, a := range o.Accounts {
		if a.ID == id {
			return i
		}
	}
	return -1
}

// policy finds a customer or AWS managed policy.
func (o *org) policy(id string) (store.OrgPolicy, int, bool) {
	if p, ok := awsManaged[id]; ok {
		return p, -1, true
	}
	for i, p := range o.Policies {
		if p.ID == id {
			return p, i, true
		}
	}
	return store.OrgPolicy{}, -1, false
}

// isParent reports whether id is the root or a unit.
func (o *org) isParent(id string) bool { return id == o.RootID || o.unit(id) >= 0 }

// parentOf is the parent of a unit or account ("" for the root or unknown).
func (o *org) parentOf(id string) string {
	if i := o.unit(id); i >= 0 {
		return o.Units[i].Parent
	}
	if i := o.account(id); i >= 0 {
		return o.Accounts[i].Parent
	}
	return ""
}

// depth is how many units lie between the root and id (a unit) inclusive.
func (o *org) depth(id string) int {
	n := 0
	for p := id; p != "" && p != o.RootID && n <= maxDepth+1; p = o.parentOf(p) {
		n++
	}
	return n
}

func (o *org) enabled(policyType string) bool {
	for _, t := range o.PolicyTypes {
		if t == policyType {
			return true
		}
	}
	return false
}

func (o *org) attached(policyID, target string) bool {
	for _, a := range o.Attachments {
		if a.PolicyID == policyID && a.TargetID == target {
			return true
		}
	}
	return false
}

// attachDefaults gives a new unit or account the AWS managed policy of
// every enabled type, as AWS does.
func (o *org) attachDefaults(target string) {
	for _, t := range o.PolicyTypes {
		o.Attachments = append(o.Attachments, store.OrgAttachment{PolicyID: defaultPolicy[t], TargetID: target})
	}
}

// detachAll removes every attachment to target, or of policy.
func (o *org) detachWhere(keep func(store.OrgAttachment) bool) {
	out := o.Attachments[:0]
	for _, a := range o.Attachments {
		if keep(a) {
			out = append(out, a)
		}
	}
	o.Attachments = out
}

// Limits AWS enforces.
const (
	maxDepth            = 5    // OU nesting below the root
	maxPolicyChars      = 5120 // SCP and RCP content
	maxPoliciesOfType   = 5    // attached to one target
	maxCustomerPolicies = 1000
	maxPageSize         = 20
)

const (
	lowerDigits = "abcdefghijklmnopqrstuvwxyz0123456789"
	digits      = "0123456789"
)

func randomString(alphabet string, n int) string {
	b := make([]byte, n)
	for i := range b {
		k, err := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		if err != nil {
			panic("crypto/rand: " + err.Error())
		}
		b[i] = alphabet[k.Int64()]
	}
	return string(b)
}

// New ids in AWS's formats.
func newOrgID() string       { return "o-" + randomString(lowerDigits, 10) }
func newRootID() string      { return "r-" + randomString(lowerDigits, 4) }
func newPolicyID() string    { return "p-" + randomString(lowerDigits, 8) }
func newHandshakeID() string { return "h-" + randomString(lowerDigits, 10) }
func newCreateID() string    { return "car-" + randomString(lowerDigits, 10) }
func newAccountID() string   { return randomString("123456789", 1) + randomString(digits, 11) }
func (o *org) newUnitID() string {
	return "ou-" + strings.TrimPrefix(o.RootID, "r-") + "-" + randomString(lowerDigits, 8)
}

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }
