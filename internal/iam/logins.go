package iam

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/sekisho/sekisho/internal/awsproto"
	"github.com/sekisho/sekisho/internal/policy"
	"github.com/sekisho/sekisho/internal/store"
	"github.com/sekisho/sekisho/internal/world"
)

// Login profiles hold a user's console password, stored only as a salted hash.

type loginProfileXML struct {
	UserName              string `xml:"UserName"`
	CreateDate            string `xml:"CreateDate"`
	PasswordResetRequired bool   `xml:"PasswordResetRequired"`
}

func toLoginProfileXML(p store.LoginProfile) loginProfileXML {
	return loginProfileXML{UserName: p.UserName, CreateDate: timestamp(p.CreatedAt), PasswordResetRequired: p.ResetRequired}
}

type createLoginProfileResult struct {
	XMLName      xml.Name        `xml:"CreateLoginProfileResult"`
	LoginProfile loginProfileXML `xml:"LoginProfile"`
}

type getLoginProfileResult struct {
	XMLName      xml.Name        `xml:"GetLoginProfileResult"`
	LoginProfile loginProfileXML `xml:"LoginProfile"`
}

// password reads a password parameter. Being sensitive, its value never
// appears in the error message.
func (in *input) password(param string, required bool) string {
	if !in.params.Has(param) {
		if required {
			in.failNull(member(param))
		}
		return ""
	}
	v := in.params.Get(param)
	problem := ""
	switch n := utf8.RuneCountInString(v); {
	case n < 1:
		problem = "Member must have length greater than or equal to 1"
	case n > 128:
		problem = "Member must have length less than or equal to 128"
	case !passwordPattern.re.MatchString(v):
		problem = "Member must satisfy regular expression pattern: " + passwordPattern.shown
	}
	if problem != "" {
		in.problems = append(in.problems, fmt.Sprintf("Value at '%s' failed to satisfy constraint: %s", member(param), problem))
	}
	return v
}

// loginUser reads the UserName of Create/Get/DeleteLoginProfile, which
// defaults to the calling IAM user. Other callers must name the user: the
// root's own login profile (AssumeRoot sessions in AWS) is not modelled.
func (in *input) loginUser(call *awsproto.Call) string {
	if !in.params.Has("UserName") && call.Caller.Principal.Type == policy.PrincipalUser {
		return call.Caller.UserName
	}
	return in.name("UserName", maxUserName)
}

func (s *Service) createLoginProfile(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in := newInput(call.Params)
	name := in.loginUser(call)
	password := in.password("Password", true)
	reset := in.boolean("PasswordResetRequired")
	if e := in.err(); e != nil {
		return nil, e
	}
	if e := s.authorizeOn(ctx, call, userResource, name, nil); e != nil {
		return nil, e
	}
	account := callerAccount(call)
	hash := world.HashPassword(password)
	var p store.LoginProfile
	err := s.store.Update(ctx, func(tx store.Tx) error {
		u, err := getUser(tx, account, name)
		if err != nil {
			return err
		}
		if _, err := tx.GetLoginProfile(account, u.Name); err == nil {
			return entityExists("Login Profile for user %s already exists.", u.Name)
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		p = store.LoginProfile{Account: account, UserName: u.Name, PasswordHash: hash, ResetRequired: reset, CreatedAt: s.gate.Now()}
		return tx.PutLoginProfile(p)
	})
	if e := s.txError(err); e != nil {
		return nil, e
	}
	return createLoginProfileResult{LoginProfile: toLoginProfileXML(p)}, nil
}

func (s *Service) getLoginProfile(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in := newInput(call.Params)
	name := in.loginUser(call)
	if e := in.err(); e != nil {
		return nil, e
	}
	if e := s.authorizeOn(ctx, call, userResource, name, nil); e != nil {
		return nil, e
	}
	p, err := store.Read(ctx, s.store, func(tx store.Tx) (store.LoginProfile, error) { return loginProfile(tx, callerAccount(call), name) })
	if e := s.txError(err); e != nil {
		return nil, e
	}
	return getLoginProfileResult{LoginProfile: toLoginProfileXML(p)}, nil
}

// loginProfile finds the user and then its profile, each missing one
// answered with AWS's NoSuchEntity.
func loginProfile(tx store.Tx, account, name string) (store.LoginProfile, error) {
	u, err := getUser(tx, account, name)
	if err != nil {
		return store.LoginProfile{}, err
	}
	p, err := tx.GetLoginProfile(account, u.Name)
	return p, orNotFound(err, noSuchLoginProfile(u.Name))
}

func (s *Service) updateLoginProfile(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in := newInput(call.Params)
	name := in.name("UserName", maxUserName)
	password := in.password("Password", false)
	setReset := call.Params.Has("PasswordResetRequired")
	reset := in.boolean("PasswordResetRequired")
	if e := in.err(); e != nil {
		return nil, e
	}
	if e := s.authorizeOn(ctx, call, userResource, name, nil); e != nil {
		return nil, e
	}
	hash := ""
	if call.Params.Has("Password") {
		hash = world.HashPassword(password)
	}
	err := s.store.Update(ctx, func(tx store.Tx) error {
		p, err := loginProfile(tx, callerAccount(call), name)
		if err != nil {
			return err
		}
		p.PasswordHash = or(hash, p.PasswordHash)
		if setReset {
			p.ResetRequired = reset
		}
		return tx.PutLoginProfile(p)
	})
	return nil, s.txError(err)
}

func (s *Service) deleteLoginProfile(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in := newInput(call.Params)
	name := in.loginUser(call)
	if e := in.err(); e != nil {
		return nil, e
	}
	if e := s.authorizeOn(ctx, call, userResource, name, nil); e != nil {
		return nil, e
	}
	account := callerAccount(call)
	err := s.store.Update(ctx, func(tx store.Tx) error {
		p, err := loginProfile(tx, account, name)
		if err != nil {
			return err
		}
		return orNotFound(tx.DeleteLoginProfile(account, p.UserName), noSuchLoginProfile(p.UserName))
	})
	return nil, s.txError(err)
}
