package organizations

import (
	"context"
	"net/http"
	"regexp"

	"github.com/sekisho/sekisho/internal/awsproto"
	"github.com/sekisho/sekisho/internal/store"
)

var servicePrincipalPattern = regexp.MustCompile(`^[\w+=,.@-]{1,128}$`)

// delegated reports whether account administers some service for the
// organization: such accounts may call the read operations.
func (o *org) delegated(account string) bool {
	for _, d := range o.DelegatedAdmins {
		if d.Account == account {
			return true
		}
	}
	return false
}

type delegatedInput struct{ AccountId, ServicePrincipal string }

func (s *Service) registerDelegatedAdmin(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	var in delegatedInput
	if e := decode(call, &in); e != nil {
		return nil, e
	}
	if !servicePrincipalPattern.MatchString(in.ServicePrincipal) {
		return nil, invalidInput("INVALID_PATTERN", "You provided a value that does not match the required pattern.")
	}
	_, e := s.change(ctx, call, func(o *org) string { return o.accountARN(in.AccountId) }, func(tx store.Tx, o *org) (any, error) {
		if _, err := memberAccount(o, in.AccountId); err != nil {
			return nil, err
		}
		if in.AccountId == o.ManagementAccount {
			return nil, constraint("CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR", "You attempted to register the management account of the organization as a delegated administrator for an AWS service integrated with Organizations.")
		}
		for _, d := range o.DelegatedAdmins {
			if d.Account == in.AccountId && d.ServicePrincipal == in.ServicePrincipal {
				return nil, orgError(http.StatusBadRequest, "AccountAlreadyRegisteredException", "The provided account is already a delegated administrator for your organization.")
			}
		}
		o.DelegatedAdmins = append(o.DelegatedAdmins, store.OrgDelegatedAdmin{Account: in.AccountId, ServicePrincipal: in.ServicePrincipal, Since: s.gate.Now().UTC()})
		return nil, nil
	})
	return nil, e
}

func (s *Service) deregisterDelegatedAdmin(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	var in delegatedInput
	if e := decode(call, &in); e != nil {
		return nil, e
	}
	_, e := s.change(ctx, call, func(o *org) string { return o.accountARN(in.AccountId) }, func(tx store.Tx, o *org) (any, error) {
		if _, err := memberAccount(o, in.AccountId); err != nil {
			return nil, err
		}
		kept := o.DelegatedAdmins[:0]
		for _, d := range o.DelegatedAdmins {
			if d.Account != in.AccountId || d.ServicePrincipal != in.ServicePrincipal {
				kept = append(kept, d)
			}
		}
		if len(kept) == len(o.DelegatedAdmins) {
			return nil, orgError(http.StatusBadRequest, "AccountNotRegisteredException", "The specified account is not a delegated administrator for this AWS service.")
		}
		o.DelegatedAdmins = kept
		return nil, nil
	})
	return nil, e
}

type delegatedAdminShape struct {
	accountShape
	DelegationEnabledDate float64
}

func (s *Service) listDelegatedAdmins(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	var in struct {
		pageRequest
		ServicePrincipal string
	}
	if e := decode(call, &in); e != nil {
		return nil, e
	}
	return s.read(ctx, call, (*org).orgARN, func(o *org) (any, *awsproto.Error) {
		out := []delegatedAdminShape{}
		seen := map[string]bool{}
		for _, d := range o.DelegatedAdmins {
			if (in.ServicePrincipal != "" && d.ServicePrincipal != in.ServicePrincipal) || seen[d.Account] {
				continue
			}
			if i := o.account(d.Account); i >= 0 {
				seen[d.Account] = true
				out = append(out, delegatedAdminShape{accountShape: o.accountShape(o.Accounts[i]), DelegationEnabledDate: epoch(d.Since)})
			}
		}
		page, next, e := paginate(out, in.pageRequest)
		if e != nil {
			return nil, e
		}
		return listed("DelegatedAdministrators", page, next), nil
	})
}
