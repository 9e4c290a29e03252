package organizations

import (
	"context"
	"net/http"
	"regexp"
	"strings"

	"github.com/sekisho/sekisho/internal/awsproto"
	"github.com/sekisho/sekisho/internal/policy"
	"github.com/sekisho/sekisho/internal/store"
)

var (
	errPolicyNotFound = orgError(http.StatusBadRequest, "PolicyNotFoundException", "We can't find a policy with the PolicyId that you specified.")
	errTargetNotFound = orgError(http.StatusBadRequest, "TargetNotFoundException", "We can't find a root, OU, account, or email address with the TargetId that you specified.")
	errNotEnabled     = orgError(http.StatusBadRequest, "PolicyTypeNotEnabledException", "This operation can be performed only for enabled policy types.")
	// AWS gives InvalidInputException IMMUTABLE_POLICY for an AWS managed
	// policy (PolicyChangesInProgressException is about effective policies).
	errAWSManaged = invalidInput("IMMUTABLE_POLICY", "You specified a policy that is managed by AWS and can't be modified.")
	errMalformed  = orgError(http.StatusBadRequest, "MalformedPolicyDocumentException", "The provided policy document doesn't meet the requirements of the specified policy type.")
)

// The API's patterns of policy and target ids: an id not of them is
// InvalidInputException INVALID_PATTERN, before any lookup.
var (
	policyIDPattern = regexp.MustCompile(`^p-[0-9a-zA-Z_]{8,128}$`)
	targetIDPattern = regexp.MustCompile(`^(r-[0-9a-z]{4,32}|\d{12}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$`)
	parentIDPattern = regexp.MustCompile(`^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$`)
	childIDPattern  = regexp.MustCompile(`^(\d{12}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$`)
	errPattern      = invalidInput("INVALID_PATTERN", "You provided a value that does not match the required pattern.")
)

// findPolicy finds a customer or AWS managed policy by a well-formed id.
func (o *org) findPolicy(id string) (store.OrgPolicy, int, error) {
	if !policyIDPattern.MatchString(id) {
		return store.OrgPolicy{}, -1, errPattern
	}
	if p, i, ok := o.policy(id); ok {
		return p, i, nil
	}
	return store.OrgPolicy{}, -1, errPolicyNotFound
}

// checkTarget wants a well-formed id of the root, a unit or an account.
func (o *org) checkTarget(id string) error {
	switch {
	case !targetIDPattern.MatchString(id):
		return errPattern
	case o.targetARN(id) == "":
		return errTargetNotFound
	}
	return nil
}

// checkParent wants a well-formed id of the root or a unit; notFound is
// the operation's error for one the organization does not have.
func (o *org) checkParent(id string, notFound error) error {
	switch {
	case !parentIDPattern.MatchString(id):
		return errPattern
	case !o.isParent(id):
		return notFound
	}
	return nil
}

// checkContent validates a control policy's document for its type: AWS's
// size limit, the grammar, and no Allow in a customer RCP (only
// RCPFullAWSAccess allows).
func checkContent(content, policyType string) error {
	if len(content) > maxPolicyChars {
		return constraint("POLICY_CONTENT_LIMIT_EXCEEDED", "You attempted to create a policy that is larger than the maximum size.")
	}
	t := policy.SCP
	if policyType == typeRCP {
		t = policy.RCP
	}
	p, err := policy.ParseWithOptions(content, t, policy.Options{MaxSize: maxPolicyChars})
	if err != nil {
		return orgError(http.StatusBadRequest, "MalformedPolicyDocumentException", errMalformed.Message+" "+err.Error())
	}
	if t == policy.RCP {
		for _, st := range p.Statements {
			if st.Effect == policy.Allow {
				return errMalformed
			}
		}
	}
	return nil
}

// checkDescription holds a policy description to the API's 512
// characters, on creation and update alike.
func checkDescription(d string) error {
	if chars(d) > 512 {
		return invalidInput("MAX_LENGTH_EXCEEDED", "The policy description must be at most 512 characters.")
	}
	return nil
}

func (o *org) policyNameTaken(name, policyType, except string) bool {
	for _, p := range o.Policies {
		if p.Type == policyType && p.ID != except && p.Name == name {
			return true
		}
	}
	for _, p := range awsManaged {
		if p.Type == policyType && p.Name == name {
			return true
		}
	}
	return false
}

var errDuplicatePolicy = orgError(http.StatusBadRequest, "DuplicatePolicyException", "A policy with the same name already exists.")

func (s *Service) createPolicy(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	var in struct {
		Content, Description, Name, Type string
		Tags                             []tagShape
	}
	if e := decode(call, &in); e != nil {
		return nil, e
	}
	if !policyTypes[in.Type] {
		return nil, invalidInput("INVALID_ENUM", "You specified an invalid value.")
	}
	if in.Name == "" || chars(in.Name) > 128 {
		return nil, invalidInput(lengthReason(in.Name, 1), "The policy name must be 1 to 128 characters.")
	}
	if err := checkDescription(in.Description); err != nil {
		return nil, s.txError(err)
	}
	if err := checkContent(in.Content, in.Type); err != nil {
		return nil, s.txError(err)
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, s.txError(err)
	}
	return s.change(ctx, call, (*org).orgARN, func(tx store.Tx, o *org) (any, error) {
		if o.policyNameTaken(in.Name, in.Type, "") {
			return nil, errDuplicatePolicy
		}
		if len(o.Policies) >= maxCustomerPolicies {
			return nil, constraint("POLICY_NUMBER_LIMIT_EXCEEDED", "You attempted to exceed the number of policies that you can have in an organization.")
		}
		p := store.OrgPolicy{ID: newPolicyID(), Name: in.Name, Description: in.Description, Type: in.Type, Content: in.Content, Tags: toTags(in.Tags)}
		o.Policies = append(o.Policies, p)
		return map[string]any{"Policy": policyShape{PolicySummary: o.policySummary(p), Content: p.Content}}, nil
	})
}

// customerPolicy finds a policy the caller may change.
func customerPolicy(o *org, id string) (int, error) {
	_, i, err := o.findPolicy(id)
	switch {
	case err != nil:
		return -1, err
	case i < 0:
		return -1, errAWSManaged
	}
	return i, nil
}

func (s *Service) updatePolicy(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	var in struct {
		PolicyId                   string
		Name, Description, Content *string
	}
	if e := decode(call, &in); e != nil {
		return nil, e
	}
	return s.change(ctx, call, func(o *org) string { return o.policyARNByID(in.PolicyId) }, func(tx store.Tx, o *org) (any, error) {
		i, err := customerPolicy(o, in.PolicyId)
		if err != nil {
			return nil, err
		}
		p := &o.Policies[i]
		if in.Name != nil {
			if *in.Name == "" || chars(*in.Name) > 128 {
				return nil, invalidInput(lengthReason(*in.Name, 1), "The policy name must be 1 to 128 characters.")
			}
			if o.policyNameTaken(*in.Name, p.Type, p.ID) {
				return nil, errDuplicatePolicy
			}
			p.Name = *in.Name
		}
		if in.Description != nil {
			if err := checkDescription(*in.Description); err != nil {
				return nil, err
			}
			p.Description = *in.Description
		}
		if in.Content != nil {
			if err := checkContent(*in.Content, p.Type); err != nil {
				return nil, err
			}
			p.Content = *in.Content
		}
		return map[string]any{"Policy": policyShape{PolicySummary: o.policySummary(*p), Content: p.Content}}, nil
	})
}

func (o *org) policyARNByID(id string) string {
	if p, _, ok := o.policy(id); ok {
		return o.policyARN(p)
	}
	return ""
}

func (s *Service) deletePolicy(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	var in struct{ PolicyId string }
	if e := decode(call, &in); e != nil {
		return nil, e
	}
	_, e := s.change(ctx, call, func(o *org) string { return o.policyARNByID(in.PolicyId) }, func(tx store.Tx, o *org) (any, error) {
		i, err := customerPolicy(o, in.PolicyId)
		if err != nil {
			return nil, err
		}
		for _, a := range o.Attachments {
			if a.PolicyID == in.PolicyId {
				return nil, orgError(http.StatusBadRequest, "PolicyInUseException", "The policy is attached to one or more entities. You must detach it from all roots, OUs, and accounts before performing this operation.")
			}
		}
		o.Policies = append(o.Policies[:i], o.Policies[i+1:]...)
		return nil, nil
	})
	return nil, e
}

func (s *Service) describePolicy(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	var in struct{ PolicyId string }
	if e := decode(call, &in); e != nil {
		return nil, e
	}
	return s.read(ctx, call, func(o *org) string { return o.policyARNByID(in.PolicyId) }, func(o *org) (any, *awsproto.Error) {
		p, _, err := o.findPolicy(in.PolicyId)
		if err != nil {
			return nil, s.txError(err)
		}
		return map[string]any{"Policy": policyShape{PolicySummary: o.policySummary(p), Content: p.Content}}, nil
	})
}

// allPolicies lists the AWS managed policies of enabled types, then the
// customer's, of one type.
func (o *org) allPolicies(policyType string) []store.OrgPolicy {
	var out []store.OrgPolicy
	if id := defaultPolicy[policyType]; id != "" {
		out = append(out, awsManaged[id])
	}
	for _, p := range o.Policies {
		if p.Type == policyType {
			out = append(out, p)
		}
	}
	return out
}

func (s *Service) listPolicies(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	var in struct {
		pageRequest
		Filter string
	}
	if e := decode(call, &in); e != nil {
		return nil, e
	}
	if !listableTypes[in.Filter] {
		return nil, invalidInput("INVALID_ENUM", "You specified an invalid value.")
	}
	return s.read(ctx, call, (*org).orgARN, func(o *org) (any, *awsproto.Error) {
		out := []policySummaryShape{}
		for _, p := range o.allPolicies(in.Filter) {
			out = append(out, o.policySummary(p))
		}
		page, next, e := paginate(out, in.pageRequest)
		if e != nil {
			return nil, e
		}
		return listed("Policies", page, next), nil
	})
}

func (s *Service) listPoliciesForTarget(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	var in struct {
		pageRequest
		TargetId, Filter string
	}
	if e := decode(call, &in); e != nil {
		return nil, e
	}
	if !listableTypes[in.Filter] {
		return nil, invalidInput("INVALID_ENUM", "You specified an invalid value.")
	}
	return s.read(ctx, call, func(o *org) string { return o.targetARN(in.TargetId) }, func(o *org) (any, *awsproto.Error) {
		if err := o.checkTarget(in.TargetId); err != nil {
			return nil, s.txError(err)
		}
		out := []policySummaryShape{}
		for _, a := range o.Attachments {
			if p, _, ok := o.policy(a.PolicyID); ok && a.TargetID == in.TargetId && p.Type == in.Filter {
				out = append(out, o.policySummary(p))
			}
		}
		page, next, e := paginate(out, in.pageRequest)
		if e != nil {
			return nil, e
		}
		return listed("Policies", page, next), nil
	})
}

func (s *Service) listTargetsForPolicy(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	var in struct {
		pageRequest
		PolicyId string
	}
	if e := decode(call, &in); e != nil {
		return nil, e
	}
	return s.read(ctx, call, func(o *org) string { return o.policyARNByID(in.PolicyId) }, func(o *org) (any, *awsproto.Error) {
		if _, _, err := o.findPolicy(in.PolicyId); err != nil {
			return nil, s.txError(err)
		}
		out := []targetShape{}
		for _, a := range o.Attachments {
			if a.PolicyID == in.PolicyId {
				out = append(out, o.targetShape(a.TargetID))
			}
		}
		page, next, e := paginate(out, in.pageRequest)
		if e != nil {
			return nil, e
		}
		return listed("Targets", page, next), nil
	})
}

func (o *org) targetShape(id string) targetShape {
	switch {
	case id == o.RootID:
		return targetShape{TargetId: id, Arn: o.rootARN(), Name: "Root", Type: "ROOT"}
	case o.unit(id) >= 0:
		return targetShape{TargetId: id, Arn: o.unitARN(id), Name: o.Units[o.unit(id)].Name, Type: "ORGANIZATIONAL_UNIT"}
	}
	name := id
	if i := o.account(id); i >= 0 {
		name = o.Accounts[i].Name
	}
	return targetShape{TargetId: id, Arn: o.accountARN(id), Name: name, Type: "ACCOUNT"}
}

func (s *Service) attachPolicy(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	return s.attachment(ctx, call, true)
}

func (s *Service) detachPolicy(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	return s.attachment(ctx, call, false)
}

// attachment attaches or detaches a policy. A target keeps at least one
// and at most five policies of each type, as AWS enforces.
func (s *Service) attachment(ctx context.Context, call *awsproto.Call, attach bool) (any, *awsproto.Error) {
	var in struct{ PolicyId, TargetId string }
	if e := decode(call, &in); e != nil {
		return nil, e
	}
	_, e := s.change(ctx, call, func(o *org) string { return o.policyARNByID(in.PolicyId) }, func(tx store.Tx, o *org) (any, error) {
		p, _, err := o.findPolicy(in.PolicyId)
		if err != nil {
			return nil, err
		}
		if err := o.checkTarget(in.TargetId); err != nil {
			return nil, err
		}
		if !o.enabled(p.Type) {
			return nil, errNotEnabled
		}
		n := o.countOfType(in.TargetId, p.Type)
		if attach {
			switch {
			case o.attached(p.ID, in.TargetId):
				return nil, orgError(http.StatusBadRequest, "DuplicatePolicyAttachmentException", "The selected policy is already attached to the specified target.")
			case n >= maxPoliciesOfType:
				return nil, constraint("MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED", "You attempted to exceed the number of policies of a certain type that can be attached to an entity at one time.")
			}
			o.Attachments = append(o.Attachments, store.OrgAttachment{PolicyID: p.ID, TargetID: in.TargetId})
			return nil, nil
		}
		switch {
		case !o.attached(p.ID, in.TargetId):
			return nil, orgError(http.StatusBadRequest, "PolicyNotAttachedException", "The policy isn't attached to the specified target in the specified root.")
		case n <= 1:
			return nil, constraint("MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED", "You attempted to detach a policy from an entity that would cause the entity to have fewer than the minimum number of policies of a certain type required.")
		}
		o.detachWhere(func(a store.OrgAttachment) bool { return a.PolicyID != p.ID || a.TargetID != in.TargetId })
		return nil, nil
	})
	return nil, e
}

func (o *org) countOfType(target, policyType string) int {
	n := 0
	for _, a := range o.Attachments {
		if p, _, ok := o.policy(a.PolicyID); ok && a.TargetID == target && p.Type == policyType {
			n++
		}
	}
	return n
}

// tagsOf finds the tags of a taggable resource (root, unit, account, policy).
func (o *org) tagsOf(id string) (*[]store.Tag, bool) {
	switch {
	case id == o.RootID:
		return &o.RootTags, true
	case strings.HasPrefix(id, "ou-") && o.unit(id) >= 0:
		return &o.Units[o.unit(id)].Tags, true
	case o.account(id) >= 0:
		return &o.Accounts[o.account(id)].Tags, true
	}
	if _, i, ok := o.policy(id); ok && i >= 0 {
		return &o.Policies[i].Tags, true
	}
	return nil, false
}
