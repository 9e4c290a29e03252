package sts

import (
	"context"
	"errors"
	"time"

	"github.com/sekisho/sekisho/internal/access"
	"github.com/sekisho/sekisho/internal/awsproto"
	"github.com/sekisho/sekisho/internal/mfa"
	"github.com/sekisho/sekisho/internal/policy"
)

// AWS's answers when a SerialNumber and TokenCode do not authenticate.
const (
	mfaUnknownDevice = "MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user."
	mfaInvalidCode   = "MultiFactorAuthentication failed with invalid MFA one time pass code."
)

// verifyMFA checks the call's SerialNumber and TokenCode, when given,
// against the calling IAM user's enabled MFA devices, consuming the code,
// and records the authentication time in in.mfaAt. Without them it does
// nothing: the session then carries no new MFA authentication.
func (s *Service) verifyMFA(ctx context.Context, c *access.Caller, in *assumeRoleInput) *awsproto.Error {
	if in.mfaCode == "" {
		return nil
	}
	user := ""
	if c.Principal.Type == policy.PrincipalUser {
		user = c.UserName
	}
	now := s.gate.Now()
	err := mfa.Verify(ctx, s.store, now, c.Principal.Account, user, in.mfaSerial, in.mfaCode)
	switch {
	case errors.Is(err, mfa.ErrUnknownDevice):
		return awsproto.AccessDenied(mfaUnknownDevice)
	case errors.Is(err, mfa.ErrInvalidCode):
		return awsproto.AccessDenied(mfaInvalidCode)
	case err != nil:
		return s.internal(err)
	}
	in.mfaAt = now.UTC().Truncate(time.Second)
	return nil
}

// sessionMFA is the MFA context of a session AssumeRole mints: the code
// verified by this call, or else the calling session's own (role
// chaining, or a user's MFA-authenticated GetSessionToken session, keeps
// it with its original time).
func sessionMFA(c *access.Caller, in *assumeRoleInput) (bool, time.Time) {
	if !in.mfaAt.IsZero() {
		return true, in.mfaAt
	}
	if c.Session != nil && c.Session.MFA {
		return true, c.Session.MFAAuthAt
	}
	return false, time.Time{}
}

// withVerifiedMFA is the caller as the engine sees it during AssumeRole:
// a calling session that just passed an MFA code counts as authenticated
// with MFA now (the gate reads the MFA keys from the caller's session).
func withVerifiedMFA(c *access.Caller, in *assumeRoleInput) *access.Caller {
	if in.mfaAt.IsZero() || c.Session == nil {
		return c
	}
	cc, sess := *c, *c.Session
	sess.MFA, sess.MFAAuthAt = true, in.mfaAt
	cc.Session = &sess
	return &cc
}
