package organizations

import (
	"context"
	"errors"
	"net/http"
	"regexp"

	"github.com/sekisho/sekisho/internal/awsproto"
	"github.com/sekisho/sekisho/internal/store"
)

func (s *Service) createOrganization(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	var in struct{ FeatureSet string }
	if e := decode(call, &in); e != nil {
		return nil, e
	}
	if in.FeatureSet != "" && in.FeatureSet != "ALL" {
		// Sekisho emulates control policies, which need every feature.
		return nil, invalidInput("INVALID_ENUM", "You specified an invalid value. Sekisho supports the ALL feature set only.")
	}
	account := callerAccount(call)
	if e := s.authorize(ctx, call, account, "*"); e != nil {
		return nil, e
	}
	now := s.gate.Now().UTC()
	o := store.Organization{ID: newOrgID(), ManagementAccount: account, RootID: newRootID(), CreatedAt: now,
		ManagementEmail: "management+" + account + "@example.com"}
	o.Accounts = []store.OrgAccount{{ID: account, Name: account, Email: o.ManagementEmail, Parent: o.RootID,
		Status: "ACTIVE", Joined: "CREATED", JoinedAt: now}}
	err := s.store.Update(ctx, func(tx store.Tx) error {
		if _, err := orgOf(tx, account); err == nil {
			return orgError(http.StatusBadRequest, "AlreadyInOrganizationException", "The AWS account is already a member of an organization.")
		} else if !errors.Is(err, errNotInUse) {
			return err
		}
		if a, err := tx.GetAccount(account); err == nil && a.Alias != "" {
			o.Accounts[0].Name = a.Alias
		}
		return tx.PutOrganization(o)
	})
	if e := s.txError(err); e != nil {
		return nil, e
	}
	return map[string]any{"Organization": (&org{&o}).organizationShape()}, nil
}

// describeOrganization answers any member account, as AWS does.
func (s *Service) describeOrganization(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	o, err := store.Read(ctx, s.store, func(tx store.Tx) (store.Organization, error) { return orgOf(tx, callerAccount(call)) })
	if e := s.txError(err); e != nil {
		return nil, e
	}
	v := &org{&o}
	// A member asks about its own organization: no resource side to cross.
	if e := s.authorize(ctx, call, callerAccount(call), v.orgARN()); e != nil {
		return nil, e
	}
	return map[string]any{"Organization": v.organizationShape()}, nil
}

func (s *Service) deleteOrganization(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	_, e := s.read(ctx, call, (*org).orgARN, func(*org) (any, *awsproto.Error) { return nil, nil })
	if e != nil {
		return nil, e
	}
	err := s.store.Update(ctx, func(tx store.Tx) error {
		o, err := orgOf(tx, callerAccount(call))
		if err != nil {
			return err
		}
		if len(o.Accounts) > 1 {
			return orgError(http.StatusBadRequest, "OrganizationNotEmptyException",
				"To delete an organization you must first remove all member accounts (except the management account).")
		}
		return tx.DeleteOrganization(o.ID)
	})
	return nil, s.txError(err)
}

func (s *Service) listRoots(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	var in pageRequest
	if e := decode(call, &in); e != nil {
		return nil, e
	}
	return s.read(ctx, call, (*org).rootARN, func(o *org) (any, *awsproto.Error) {
		page, next, e := paginate([]rootShape{o.rootShape()}, in)
		if e != nil {
			return nil, e
		}
		return listed("Roots", page, next), nil
	})
}

// rootIDPattern is the API's pattern of RootId.
var rootIDPattern = regexp.MustCompile(`^r-[0-9a-z]{4,32}$`)

// policyTypes are the policy types Sekisho models: control policies.
var policyTypes = map[string]bool{typeSCP: true, typeRCP: true}

// listableTypes are every PolicyType of the API: a valid list filter
// even when Sekisho models no policy of the type (it then lists none).
var listableTypes = map[string]bool{typeSCP: true, typeRCP: true, "TAG_POLICY": true, "BACKUP_POLICY": true,
	"AISERVICES_OPT_OUT_POLICY": true, "CHATBOT_POLICY": true, "DECLARATIVE_POLICY_EC2": true, "SECURITYHUB_POLICY": true,
	"INSPECTOR_POLICY": true, "UPGRADE_ROLLOUT_POLICY": true, "BEDROCK_POLICY": true, "S3_POLICY": true,
	"NETWORK_SECURITY_DIRECTOR_POLICY": true}

func (s *Service) enablePolicyType(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	return s.setPolicyType(ctx, call, true)
}

func (s *Service) disablePolicyType(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	return s.setPolicyType(ctx, call, false)
}

// setPolicyType enables a policy type on the root (attaching its AWS
// managed policy to every root, unit and account, as AWS does) or
// disables it (detaching every policy of the type).
func (s *Service) setPolicyType(ctx context.Context, call *awsproto.Call, enable bool) (any, *awsproto.Error) {
	var in struct{ RootId, PolicyType string }
	if e := decode(call, &in); e != nil {
		return nil, e
	}
	if !policyTypes[in.PolicyType] {
		return nil, invalidInput("INVALID_ENUM", "You specified an invalid value.")
	}
	return s.change(ctx, call, (*org).rootARN, func(tx store.Tx, o *org) (any, error) {
		if !rootIDPattern.MatchString(in.RootId) {
			return nil, errPattern
		}
		if in.RootId != o.RootID {
			return nil, orgError(http.StatusBadRequest, "RootNotFoundException", "You specified a root that doesn't exist.")
		}
		switch {
		case enable && o.enabled(in.PolicyType):
			return nil, orgError(http.StatusBadRequest, "PolicyTypeAlreadyEnabledException", "The specified policy type is already enabled.")
		case !enable && !o.enabled(in.PolicyType):
			return nil, orgError(http.StatusBadRequest, "PolicyTypeNotEnabledException", "This operation can be performed only for enabled policy types.")
		case enable:
			o.PolicyTypes = append(o.PolicyTypes, in.PolicyType)
			def := defaultPolicy[in.PolicyType]
			for _, target := range o.targets() {
				o.Attachments = append(o.Attachments, store.OrgAttachment{PolicyID: def, TargetID: target})
			}
		default:
			types := o.PolicyTypes[:0]
			for _, t := range o.PolicyTypes {
				if t != in.PolicyType {
					types = append(types, t)
				}
			}
			o.PolicyTypes = types
			o.detachWhere(func(a store.OrgAttachment) bool {
				p, _, ok := o.policy(a.PolicyID)
				return ok && p.Type != in.PolicyType
			})
		}
		return map[string]any{"Root": o.rootShape()}, nil
	})
}

// targets lists the root, every unit and every account.
func (o *org) targets() []string {
	out := []string{o.RootID}
	for _, u := range o.Units {
		out = append(out, u.ID)
	}
	for _, a := range o.Accounts {
		out = append(out, a.ID)
	}
	return out
}
