// Package organizations serves the AWS Organizations API (JSON 1.1,
// target prefix AWSOrganizationsV20161128): the organization, its root,
// units and member accounts, service and resource control policies and
// their attachments, invitations and tags, kept in the store. Every call
// is authorized by the engine as organizations:<Operation>; changes are
// made by the management account.
package organizations

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"unicode/utf8"

	"github.com/sekisho/sekisho/internal/access"
	"github.com/sekisho/sekisho/internal/authz"
	"github.com/sekisho/sekisho/internal/awsproto"
	"github.com/sekisho/sekisho/internal/store"
)

// TargetPrefix is the X-Amz-Target prefix of the API.
const TargetPrefix = "AWSOrganizationsV20161128"

// SigningName is the SigV4 service name requests are signed for.
const SigningName = "organizations"

// Service is the Organizations API.
type Service struct {
	store store.Store
	gate  *access.Gate
	log   *slog.Logger
	ops   map[string]operation
}

// operation runs one action with the caller's decoded input.
type operation func(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error)

// New returns the Organizations service.
func New(st store.Store, gate *access.Gate, log *slog.Logger) *Service {
	s := &Service{store: st, gate: gate, log: log}
	s.ops = s.operations()
	return s
}

// operations is the op table: every operation the API serves.
func (s *Service) operations() map[string]operation {
	return map[string]operation{
		"CreateOrganization":               s.createOrganization,
		"DescribeOrganization":             s.describeOrganization,
		"DeleteOrganization":               s.deleteOrganization,
		"CreateAccount":                    s.createAccount,
		"DescribeCreateAccountStatus":      s.describeCreateAccountStatus,
		"ListCreateAccountStatus":          s.listCreateAccountStatus,
		"CloseAccount":                     s.closeAccount,
		"RemoveAccountFromOrganization":    s.removeAccount,
		"InviteAccountToOrganization":      s.inviteAccount,
		"AcceptHandshake":                  s.acceptHandshake,
		"DeclineHandshake":                 s.declineHandshake,
		"CancelHandshake":                  s.cancelHandshake,
		"ListHandshakesForOrganization":    s.listHandshakesForOrganization,
		"LeaveOrganization":                s.leaveOrganization,
		"DescribeHandshake":                s.describeHandshake,
		"ListHandshakesForAccount":         s.listHandshakesForAccount,
		"ListAccounts":                     s.listAccounts,
		"ListAccountsForParent":            s.listAccountsForParent,
		"DescribeAccount":                  s.describeAccount,
		"ListRoots":                        s.listRoots,
		"ListParents":                      s.listParents,
		"ListChildren":                     s.listChildren,
		"CreateOrganizationalUnit":         s.createUnit,
		"UpdateOrganizationalUnit":         s.updateUnit,
		"DeleteOrganizationalUnit":         s.deleteUnit,
		"DescribeOrganizationalUnit":       s.describeUnit,
		"ListOrganizationalUnitsForParent": s.listUnitsForParent,
		"MoveAccount":                      s.moveAccount,
		"CreatePolicy":                     s.createPolicy,
		"UpdatePolicy":                     s.updatePolicy,
		"DeletePolicy":                     s.deletePolicy,
		"DescribePolicy":                   s.describePolicy,
		"ListPolicies":                     s.listPolicies,
		"ListPoliciesForTarget":            s.listPoliciesForTarget,
		"ListTargetsForPolicy":             s.listTargetsForPolicy,
		"AttachPolicy":                     s.attachPolicy,
		"DetachPolicy":                     s.detachPolicy,
		"EnablePolicyType":                 s.enablePolicyType,
		"DisablePolicyType":                s.disablePolicyType,
		"RegisterDelegatedAdministrator":   s.registerDelegatedAdmin,
		"DeregisterDelegatedAdministrator": s.deregisterDelegatedAdmin,
		"ListDelegatedAdministrators":      s.listDelegatedAdmins,
		"TagResource":                      s.tagResource,
		"UntagResource":                    s.untagResource,
		"ListTagsForResource":              s.listTagsForResource,
	}
}

// Handle runs one operation.
func (s *Service) Handle(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	op, ok := s.ops[call.Action]
	if !ok {
		return nil, awsproto.Errorf(http.StatusBadRequest, "UnknownOperationException", "Unknown operation %s", call.Action)
	}
	return op(ctx, call)
}

// decode reads the call's JSON input into v.
func decode(call *awsproto.Call, v any) *awsproto.Error {
	if err := json.Unmarshal(call.Input, v); err != nil {
		return awsproto.Errorf(http.StatusBadRequest, "SerializationException", "The request could not be deserialized: %s", jsonProblem(err))
	}
	return nil
}

func jsonProblem(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return "wrong type for " + te.Field
	}
	return "malformed JSON"
}

// orgError builds one of the API's client errors.
func orgError(status int, code, message string) *awsproto.Error {
	return &awsproto.Error{Status: status, Code: code, Message: message}
}

// withReason builds an error carrying a Reason member.
func withReason(code, reason, message string) *awsproto.Error {
	return &awsproto.Error{Status: http.StatusBadRequest, Code: code, Message: message, Extra: map[string]string{"Reason": reason}}
}

// invalidInput is InvalidInputException with its reason.
func invalidInput(reason, message string) *awsproto.Error {
	return withReason("InvalidInputException", reason, message)
}

// constraint is ConstraintViolationException with its reason.
func constraint(reason, message string) *awsproto.Error {
	return withReason("ConstraintViolationException", reason, message)
}

var (
	errNotInUse = orgError(http.StatusBadRequest, "AWSOrganizationsNotInUseException",
		"Your account is not a member of an organization.")
	errAccessDenied = orgError(http.StatusBadRequest, "AccessDeniedException",
		"You don't have permissions to access this resource.")
)

// authorize asks the engine whether the caller may perform
// organizations:<Action> on resource (owned by the management account).
func (s *Service) authorize(ctx context.Context, call *awsproto.Call, management, resource string) *awsproto.Error {
	d, err := s.gate.Authorize(ctx, call.Caller, access.Check{
		Action: "organizations:" + call.Action, Resource: resource, ResourceAccount: management,
		Context: call.Context.Clone(), RequestID: call.RequestID,
	})
	if err != nil {
		return s.internal(err)
	}
	if d.Effect != authz.Allowed {
		s.log.Debug("decision", "request_id", call.RequestID, "principal", call.Caller.Principal.ARN,
			"action", "organizations:"+call.Action, "resource", resource, "reason", d.Reason)
		return errAccessDenied
	}
	return nil
}

func (s *Service) internal(err error) *awsproto.Error {
	if errors.Is(err, store.ErrUnavailable) {
		return awsproto.ServiceUnavailable()
	}
	s.log.Error("organizations internal error", "err", err)
	return awsproto.InternalError()
}

// txError turns a transaction's error into the API's.
func (s *Service) txError(err error) *awsproto.Error {
	if err == nil {
		return nil
	}
	var e *awsproto.Error
	if errors.As(err, &e) {
		return e
	}
	if errors.Is(err, store.ErrConflict) {
		return orgError(http.StatusConflict, "ConcurrentModificationException",
			"The target of the operation is currently being modified by a different request. Try again later.")
	}
	return s.internal(err)
}

// callerAccount is the account the call comes from.
func callerAccount(call *awsproto.Call) string { return call.Caller.Principal.Account }

// orgOf finds the organization account belongs to.
func orgOf(tx store.Tx, account string) (store.Organization, error) {
	all, err := tx.ListOrganizations()
	if err != nil {
		return store.Organization{}, err
	}
	for _, o := range all {
		if _, ok := o.MemberOf(account); ok {
			return o, nil
		}
	}
	return store.Organization{}, errNotInUse
}

// read runs fn on the caller's organization, for the management account
// or a delegated administrator, once the engine allows the action on the
// resource resourceOf names.
func (s *Service) read(ctx context.Context, call *awsproto.Call, resourceOf func(*org) string, fn func(*org) (any, *awsproto.Error)) (any, *awsproto.Error) {
	return s.visit(ctx, call, true, resourceOf, fn)
}

// visit is read, open to delegated administrators when delegates is set.
func (s *Service) visit(ctx context.Context, call *awsproto.Call, delegates bool, resourceOf func(*org) string, fn func(*org) (any, *awsproto.Error)) (any, *awsproto.Error) {
	o, err := store.Read(ctx, s.store, func(tx store.Tx) (store.Organization, error) { return orgOf(tx, callerAccount(call)) })
	if e := s.txError(err); e != nil {
		return nil, e
	}
	v := &org{Organization: &o}
	// A delegated administrator reads with its own account's authority:
	// no resource side to cross.
	authority := o.ManagementAccount
	switch {
	case o.ManagementAccount == callerAccount(call):
	case delegates && v.delegated(callerAccount(call)):
		authority = callerAccount(call)
	default:
		return nil, errAccessDenied
	}
	resource := resourceOf(v)
	if resource == "" { // an id the organization does not have: the lookup will say so
		resource = v.orgARN()
	}
	if e := s.authorize(ctx, call, authority, resource); e != nil {
		return nil, e
	}
	return fn(v)
}

// change is read for a write: fn changes the organization (and may write
// other entities through tx); the organization is written back under its
// revision, all in one transaction.
func (s *Service) change(ctx context.Context, call *awsproto.Call, resourceOf func(*org) string, fn func(tx store.Tx, o *org) (any, error)) (any, *awsproto.Error) {
	if _, e := s.visit(ctx, call, false, resourceOf, func(*org) (any, *awsproto.Error) { return nil, nil }); e != nil {
		return nil, e
	}
	var out any
	err := s.store.Update(ctx, func(tx store.Tx) error {
		o, err := orgOf(tx, callerAccount(call))
		if err != nil {
			return err
		}
		if o.ManagementAccount != callerAccount(call) {
			return errAccessDenied
		}
		v := &org{Organization: &o}
		if out, err = fn(tx, v); err != nil {
			return err
		}
		return tx.PutOrganization(o)
	})
	if e := s.txError(err); e != nil {
		return nil, e
	}
	return out, nil
}

// chars is the length of v as the API's limits count it: in characters,
// not UTF-8 bytes (a 128-character Japanese name is 384 bytes).
func chars(v string) int { return utf8.RuneCountInString(v) }

// lengthReason is InvalidInputException's reason for a value of the
// wrong length: too short (below min) or too long.
func lengthReason(v string, min int) string {
	if chars(v) < min {
		return "MIN_LENGTH_EXCEEDED"
	}
	return "MAX_LENGTH_EXCEEDED"
}
