// Package iam serves the AWS Identity and Access Management Query API
// (version 2010-05-08) for every account: users, keys, groups, roles,
// managed and inline policies, attachments, instance profiles and the
// policy simulator. Each call is itself authorized by the engine as
// iam:<Action> on the target's ARN.
package iam

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sort"

	"github.com/sekisho/sekisho/internal/access"
	"github.com/sekisho/sekisho/internal/authz"
	"github.com/sekisho/sekisho/internal/awsproto"
	"github.com/sekisho/sekisho/internal/store"
)

// Namespace is IAM's XML namespace.
const Namespace = "https://iam.amazonaws.com/doc/2010-05-08/"

// APIVersion is the only Version IAM accepts.
const APIVersion = "2010-05-08"

// Service is the IAM API.
type Service struct {
	store store.Store
	gate  *access.Gate
	log   *slog.Logger
	ops   map[string]operation
}

// operation runs one IAM action.
type operation func(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error)

// New returns the IAM service.
func New(st store.Store, gate *access.Gate, log *slog.Logger) *Service {
	s := &Service{store: st, gate: gate, log: log}
	s.ops = s.operations()
	return s
}

// Handle runs one IAM action.
func (s *Service) Handle(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	if v := call.Params.Get("Version"); v != APIVersion {
		return nil, awsproto.Errorf(http.StatusBadRequest, "InvalidAction", "Could not find operation %s for version %s", call.Action, v)
	}
	op, ok := s.ops[call.Action]
	if !ok {
		return nil, awsproto.Errorf(http.StatusBadRequest, "InvalidAction", "Could not find operation %s for version %s", call.Action, APIVersion)
	}
	if sessionWithoutMFA(call.Caller) {
		// AWS's answer to IAM calls with GetSessionToken credentials
		// obtained without MFA (no trailing period, as IAM writes it).
		return nil, awsproto.Errorf(http.StatusForbidden, "InvalidClientTokenId", "The security token included in the request is invalid")
	}
	return op(ctx, call)
}

// authorize asks the engine whether the caller may perform iam:<Action>
// on resource in account, with extra condition keys.
func (s *Service) authorize(ctx context.Context, call *awsproto.Call, account, resource string, extra map[string][]string) *awsproto.Error {
	return s.authorizeAction(ctx, call, "iam:"+call.Action, account, resource, extra)
}

// authorizeAction asks the engine about an action other than the call's
// own, such as the iam:PassRole that AddRoleToInstanceProfile also needs.
func (s *Service) authorizeAction(ctx context.Context, call *awsproto.Call, action, account, resource string, extra map[string][]string) *awsproto.Error {
	reqCtx := call.Context.Clone()
	for k, v := range extra {
		reqCtx.Set(k, v...)
	}
	d, err := s.gate.Authorize(ctx, call.Caller, access.Check{
		Action: action, Resource: resource, ResourceAccount: account, Context: reqCtx, RequestID: call.RequestID,
	})
	if err != nil {
		return s.internal(err)
	}
	s.log.Debug("decision", "request_id", call.RequestID, "principal", call.Caller.Principal.ARN,
		"action", action, "resource", resource, "effect", d.Effect.String(), "reason", d.Reason)
	if d.Effect == authz.Allowed {
		return nil
	}
	return awsproto.AccessDenied(d.Message())
}

func (s *Service) internal(err error) *awsproto.Error {
	if errors.Is(err, store.ErrUnavailable) {
		return awsproto.ServiceUnavailable()
	}
	s.log.Error("iam internal error", "err", err)
	return awsproto.InternalError()
}

// txError turns a transaction's error into the API's: an AWS error raised
// inside the transaction (which rolled it back) as is, anything else as an
// internal error.
func (s *Service) txError(err error) *awsproto.Error {
	if err == nil {
		return nil
	}
	var e *awsproto.Error
	if errors.As(err, &e) {
		return e
	}
	return s.internal(err)
}

// callerAccount is the account an IAM call acts in: the caller's own.
func callerAccount(call *awsproto.Call) string { return call.Caller.Principal.Account }

func (s *Service) operations() map[string]operation {
	ops := map[string]operation{}
	for _, group := range []map[string]operation{
		s.userOperations(), s.keyOperations(), s.groupOperations(), s.roleOperations(),
		s.policyOperations(), s.attachOperations(), s.inlineOperations(), s.profileOperations(),
		s.accountOperations(), s.simulateOperations(), s.mfaOperations(), s.oidcOperations(), s.samlOperations(),
		s.credentialOperations(), s.policyTagOperations(), s.profileTagOperations(),
	} {
		for name, op := range group {
			ops[name] = op
		}
	}
	return ops
}

// Actions lists the IAM actions of the operations IAM serves (iam:...),
// sorted: what `policy diff` compares a principal's grants with.
func Actions() []string {
	ops := (&Service{}).operations()
	out := make([]string, 0, len(ops))
	for name := range ops {
		out = append(out, "iam:"+name)
	}
	sort.Strings(out)
	return out
}
