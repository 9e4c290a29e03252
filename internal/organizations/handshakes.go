package organizations

import (
	"context"
	"net/http"
	"regexp"
	"time"

	"github.com/sekisho/sekisho/internal/awsproto"
	"github.com/sekisho/sekisho/internal/store"
)

// handshakeLifetime is how long an invitation stays open.
const handshakeLifetime = 15 * 24 * time.Hour

// handshakeState is h's state at now: an open invitation past its
// expiry is EXPIRED, as AWS shows one nobody answered in 15 days.
func handshakeState(h store.OrgHandshake, now time.Time) string {
	if h.State == "OPEN" && now.After(h.Expires) {
		return "EXPIRED"
	}
	return h.State
}

// handshakeIDPattern is the API's pattern of HandshakeId.
var handshakeIDPattern = regexp.MustCompile(`^h-[0-9a-z]{8,32}$`)

var errHandshakeNotFound = orgError(http.StatusBadRequest, "HandshakeNotFoundException", "We can't find a handshake with the HandshakeId that you specified.")

func (s *Service) inviteAccount(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	var in struct {
		Target struct{ Id, Type string }
		Notes  string
	}
	if e := decode(call, &in); e != nil {
		return nil, e
	}
	if in.Target.Type != "ACCOUNT" {
		// Sekisho's accounts have no email addresses to invite by.
		return nil, invalidInput("INVALID_PARTY_TYPE_TARGET", "You specified the wrong type for the handshake party.")
	}
	if !accountPattern.MatchString(in.Target.Id) {
		return nil, invalidInput("INVALID_PATTERN", "You provided a value that does not match the required pattern.")
	}
	return s.change(ctx, call, (*org).orgARN, func(tx store.Tx, o *org) (any, error) {
		if _, err := tx.GetAccount(in.Target.Id); err != nil {
			return nil, orNotFound(err, errAccountNotFound)
		}
		if o.account(in.Target.Id) >= 0 {
			return nil, orgError(http.StatusBadRequest, "DuplicateAccountException", "That account is already present in the specified destination.")
		}
		now := s.gate.Now().UTC()
		for _, h := range o.Handshakes {
			if h.Account == in.Target.Id && handshakeState(h, now) == "OPEN" {
				return nil, orgError(http.StatusBadRequest, "DuplicateHandshakeException", "A handshake with the same action and target already exists.")
			}
		}
		h := store.OrgHandshake{ID: newHandshakeID(), Account: in.Target.Id, State: "OPEN", Requested: now, Expires: now.Add(handshakeLifetime)}
		o.Handshakes = append(o.Handshakes, h)
		return map[string]any{"Handshake": o.handshakeShape(h, now)}, nil
	})
}

// findHandshake finds a handshake of which account is a party, in
// whichever organization sent it.
func findHandshake(tx store.Tx, id, account string) (store.Organization, int, error) {
	if !handshakeIDPattern.MatchString(id) {
		return store.Organization{}, -1, errPattern
	}
	all, err := tx.ListOrganizations()
	if err != nil {
		return store.Organization{}, -1, err
	}
	for _, o := range all {
		for i, h := range o.Handshakes {
			if h.ID == id && (h.Account == account || o.ManagementAccount == account) {
				return o, i, nil
			}
		}
	}
	return store.Organization{}, -1, errHandshakeNotFound
}

// acceptHandshake is called by the invited account, which then joins the
// organization under its root.
func (s *Service) acceptHandshake(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	return s.answerHandshake(ctx, call, invitedParty, func(tx store.Tx, o *org, h *store.OrgHandshake, now time.Time) error {
		if _, err := orgOf(tx, h.Account); err == nil {
			return withReason("HandshakeConstraintViolationException", "ALREADY_IN_AN_ORGANIZATION", "The account is already a member of an organization.")
		}
		h.State = "ACCEPTED"
		o.Accounts = append(o.Accounts, store.OrgAccount{ID: h.Account, Name: h.Account, Parent: o.RootID, Status: "ACTIVE", Joined: "INVITED", JoinedAt: now})
		o.attachDefaults(h.Account)
		return nil
	})
}

// declineHandshake is called by the invited account: the invitation ends
// and the account stays out.
func (s *Service) declineHandshake(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	return s.answerHandshake(ctx, call, invitedParty, func(_ store.Tx, _ *org, h *store.OrgHandshake, _ time.Time) error {
		h.State = "DECLINED"
		return nil
	})
}

// cancelHandshake is called by the account that sent the invitation, the
// organization's management account.
func (s *Service) cancelHandshake(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	return s.answerHandshake(ctx, call, originatingParty, func(_ store.Tx, _ *org, h *store.OrgHandshake, _ time.Time) error {
		h.State = "CANCELED"
		return nil
	})
}

// A handshake's parties: the invited account answers it (accept,
// decline), the management account that sent it may cancel it.
func invitedParty(o store.Organization, h store.OrgHandshake, account string) bool {
	return h.Account == account
}
func originatingParty(o store.Organization, h store.OrgHandshake, account string) bool {
	return o.ManagementAccount == account
}

// answerHandshake applies move to the open handshake HandshakeId when the
// caller is the party that may (AccessDenied otherwise); a handshake no
// longer open is InvalidHandshakeTransitionException. It answers the
// handshake as it now stands.
func (s *Service) answerHandshake(ctx context.Context, call *awsproto.Call, party func(store.Organization, store.OrgHandshake, string) bool,
	move func(tx store.Tx, o *org, h *store.OrgHandshake, now time.Time) error) (any, *awsproto.Error) {
	var in struct{ HandshakeId string }
	if e := decode(call, &in); e != nil {
		return nil, e
	}
	account := callerAccount(call)
	if e := s.authorize(ctx, call, account, "*"); e != nil {
		return nil, e
	}
	var out any
	err := s.store.Update(ctx, func(tx store.Tx) error {
		o, i, err := findHandshake(tx, in.HandshakeId, account)
		if err != nil {
			return err
		}
		h := &o.Handshakes[i]
		now := s.gate.Now().UTC()
		switch {
		case !party(o, *h, account):
			return errAccessDenied
		case handshakeState(*h, now) != "OPEN":
			return orgError(http.StatusBadRequest, "InvalidHandshakeTransitionException", "You can't perform the operation on the handshake in its current state.")
		}
		v := &org{&o}
		if err := move(tx, v, h, now); err != nil {
			return err
		}
		out = map[string]any{"Handshake": v.handshakeShape(*h, now)}
		return tx.PutOrganization(o)
	})
	if e := s.txError(err); e != nil {
		return nil, e
	}
	return out, nil
}

func (s *Service) describeHandshake(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	var in struct{ HandshakeId string }
	if e := decode(call, &in); e != nil {
		return nil, e
	}
	account := callerAccount(call)
	if e := s.authorize(ctx, call, account, "*"); e != nil {
		return nil, e
	}
	var out any
	err := s.store.View(ctx, func(tx store.Tx) error {
		o, i, err := findHandshake(tx, in.HandshakeId, account)
		if err == nil {
			out = map[string]any{"Handshake": (&org{&o}).handshakeShape(o.Handshakes[i], s.gate.Now().UTC())}
		}
		return err
	})
	return out, s.txError(err)
}

func (s *Service) listHandshakesForAccount(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	var in pageRequest
	if e := decode(call, &in); e != nil {
		return nil, e
	}
	account := callerAccount(call)
	if e := s.authorize(ctx, call, account, "*"); e != nil {
		return nil, e
	}
	list := []handshakeShape{}
	err := s.store.View(ctx, func(tx store.Tx) error {
		all, err := tx.ListOrganizations()
		for _, o := range all {
			for _, h := range o.Handshakes {
				if h.Account == account {
					list = append(list, (&org{&o}).handshakeShape(h, s.gate.Now().UTC()))
				}
			}
		}
		return err
	})
	if e := s.txError(err); e != nil {
		return nil, e
	}
	page, next, e := paginate(list, in)
	if e != nil {
		return nil, e
	}
	return listed("Handshakes", page, next), nil
}

// listHandshakesForOrganization lists the invitations the caller's
// organization sent, for its management account or a delegated
// administrator.
func (s *Service) listHandshakesForOrganization(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	var in pageRequest
	if e := decode(call, &in); e != nil {
		return nil, e
	}
	return s.read(ctx, call, (*org).orgARN, func(o *org) (any, *awsproto.Error) {
		list := []handshakeShape{}
		for _, h := range o.Handshakes {
			list = append(list, o.handshakeShape(h, s.gate.Now().UTC()))
		}
		page, next, e := paginate(list, in)
		if e != nil {
			return nil, e
		}
		return listed("Handshakes", page, next), nil
	})
}

func orNotFound(err error, notFound *awsproto.Error) error {
	if err != nil && isNotFound(err) {
		return notFound
	}
	return err
}
