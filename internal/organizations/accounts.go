package organizations

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/sekisho/sekisho/internal/awsproto"
	"github.com/sekisho/sekisho/internal/creds"
	"github.com/sekisho/sekisho/internal/store"
)

// accessRole is the role CreateAccount makes unless RoleName says otherwise.
const accessRole = "OrganizationAccountAccessRole"

// reservedRolePrefix begins the names of service-linked roles, which
// AWS keeps for itself: CreateAccount refuses a RoleName with it.
const reservedRolePrefix = "AWSServiceRoleFor"

const administratorAccess = "arn:aws:iam::aws:policy/AdministratorAccess"

var (
	emailPattern    = regexp.MustCompile(`^[^\s@]{1,64}@[^\s@]{1,255}\.[^\s@]{2,}$`)
	roleNamePattern = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
	accountPattern  = regexp.MustCompile(`^\d{12}$`)
	// createRequestIDPattern is the API's pattern of CreateAccountRequestId.
	createRequestIDPattern = regexp.MustCompile(`^car-[a-z0-9]{8,32}$`)
)

var (
	errAccountNotFound     = orgError(http.StatusBadRequest, "AccountNotFoundException", "You specified an account that doesn't exist.")
	errParentNotFound      = orgError(http.StatusBadRequest, "ParentNotFoundException", "You specified a parent that doesn't exist.")
	errChildNotFound       = orgError(http.StatusBadRequest, "ChildNotFoundException", "You specified a child that doesn't exist.")
	errSourceNotFound      = orgError(http.StatusBadRequest, "SourceParentNotFoundException", "You specified a source parent that doesn't exist.")
	errDestinationNotFound = orgError(http.StatusBadRequest, "DestinationParentNotFoundException", "You specified a destination parent that doesn't exist.")
)

func (s *Service) createAccount(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	var in struct {
		Email, AccountName, RoleName, IamUserAccessToBilling string
		Tags                                                 []tagShape
	}
	if e := decode(call, &in); e != nil {
		return nil, e
	}
	if in.RoleName == "" {
		in.RoleName = accessRole
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, s.txError(err)
	}
	switch {
	case !emailPattern.MatchString(in.Email) || len(in.Email) > 64:
		return nil, invalidInput("INVALID_EMAIL_ADDRESS_TARGET", "You provided an invalid email address.")
	case in.AccountName == "" || len(in.AccountName) > 50:
		return nil, invalidInput(lengthReason(in.AccountName, 1), "The account name must be 1 to 50 characters.")
	case !roleNamePattern.MatchString(in.RoleName) || strings.HasPrefix(in.RoleName, reservedRolePrefix):
		return nil, invalidInput("INVALID_ROLE_NAME", "You provided a role name that isn't valid. A role name can't begin with the reserved prefix AWSServiceRoleFor.")
	}
	now := s.gate.Now().UTC()
	req := store.OrgCreateRequest{ID: newCreateID(), AccountName: in.AccountName, State: "SUCCEEDED", Requested: now, Completed: now}
	_, e := s.change(ctx, call, (*org).orgARN, func(tx store.Tx, o *org) (any, error) {
		for _, a := range o.Accounts {
			if a.Email == in.Email {
				req.State, req.Failure, req.Completed = "FAILED", "EMAIL_ALREADY_EXISTS", now
				o.CreateRequests = append(o.CreateRequests, req)
				return nil, nil
			}
		}
		id, err := freeAccountID(tx)
		if err != nil {
			return nil, err
		}
		if err := tx.PutAccount(store.Account{ID: id, CreatedAt: now}); err != nil {
			return nil, err
		}
		if err := createAccessRole(tx, id, in.RoleName, o.ManagementAccount, now); err != nil {
			return nil, err
		}
		req.AccountID = id
		o.Accounts = append(o.Accounts, store.OrgAccount{ID: id, Name: in.AccountName, Email: in.Email, Parent: o.RootID,
			Status: "ACTIVE", Joined: "CREATED", JoinedAt: now, Tags: toTags(in.Tags)})
		o.attachDefaults(id)
		o.CreateRequests = append(o.CreateRequests, req)
		return nil, nil
	})
	if e != nil {
		return nil, e
	}
	// AWS creates accounts asynchronously: the call answers IN_PROGRESS
	// and DescribeCreateAccountStatus reports the outcome.
	pending := createStatus(store.OrgCreateRequest{ID: req.ID, AccountName: req.AccountName, State: "IN_PROGRESS", Requested: now})
	return map[string]any{"CreateAccountStatus": pending}, nil
}

// freeAccountID draws 12-digit ids until one is not taken.
func freeAccountID(tx store.Tx) (string, error) {
	for {
		id := newAccountID()
		_, err := tx.GetAccount(id)
		if errors.Is(err, store.ErrNotFound) {
			return id, nil
		}
		if err != nil {
			return "", err
		}
	}
}

// createAccessRole makes the role the management account administers a
// new account through: trusted by the management account, with
// AdministratorAccess attached.
func createAccessRole(tx store.Tx, account, name, management string, now time.Time) error {
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + management +
		`:root"},"Action":"sts:AssumeRole"}]}`
	r := store.Role{Account: account, Name: name, Path: "/", ID: creds.NewUniqueID(creds.PrefixRole), TrustPolicy: trust,
		MaxSessionDuration: 3600, CreatedAt: now}
	if err := tx.CreateRole(r); err != nil {
		return err
	}
	if _, err := tx.GetPolicy(administratorAccess); err != nil {
		return err
	}
	return tx.AttachPolicy(store.Attachment{Account: account, Kind: store.KindRole, Entity: name, PolicyARN: administratorAccess})
}

func (s *Service) describeCreateAccountStatus(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	var in struct{ CreateAccountRequestId string }
	if e := decode(call, &in); e != nil {
		return nil, e
	}
	return s.read(ctx, call, (*org).orgARN, func(o *org) (any, *awsproto.Error) {
		if !createRequestIDPattern.MatchString(in.CreateAccountRequestId) {
			return nil, errPattern
		}
		for _, r := range o.CreateRequests {
			if r.ID == in.CreateAccountRequestId {
				return map[string]any{"CreateAccountStatus": createStatus(r)}, nil
			}
		}
		return nil, orgError(http.StatusBadRequest, "CreateAccountStatusNotFoundException", "We can't find an create account request with the CreateAccountRequestId that you specified.")
	})
}

func (s *Service) listCreateAccountStatus(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	var in struct {
		pageRequest
		States []string
	}
	if e := decode(call, &in); e != nil {
		return nil, e
	}
	return s.read(ctx, call, (*org).orgARN, func(o *org) (any, *awsproto.Error) {
		out := []createStatusShape{}
		for _, r := range o.CreateRequests {
			if len(in.States) == 0 || contains(in.States, r.State) {
				out = append(out, createStatus(r))
			}
		}
		page, next, e := paginate(out, in.pageRequest)
		if e != nil {
			return nil, e
		}
		return listed("CreateAccountStatuses", page, next), nil
	})
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// memberAccount finds a member for an operation on it: the account id
// must be well formed and belong to the organization.
func memberAccount(o *org, id string) (int, error) {
	if !accountPattern.MatchString(id) {
		return -1, invalidInput("INVALID_PATTERN", "You provided a value that does not match the required pattern.")
	}
	i := o.account(id)
	if i < 0 {
		return -1, errAccountNotFound
	}
	return i, nil
}

func (s *Service) closeAccount(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	var in struct{ AccountId string }
	if e := decode(call, &in); e != nil {
		return nil, e
	}
	_, e := s.change(ctx, call, func(o *org) string { return o.accountARN(in.AccountId) }, func(tx store.Tx, o *org) (any, error) {
		i, err := memberAccount(o, in.AccountId)
		if err != nil {
			return nil, err
		}
		if in.AccountId == o.ManagementAccount {
			return nil, constraint("CANNOT_CLOSE_MANAGEMENT_ACCOUNT", "You attempted to close the management account. Instead, after you remove all member accounts, delete the organization itself.")
		}
		if o.Accounts[i].Status != "ACTIVE" {
			return nil, orgError(http.StatusBadRequest, "AccountAlreadyClosedException", "You attempted to close an account that is already closed.")
		}
		o.Accounts[i].Status = "SUSPENDED"
		return nil, nil
	})
	return nil, e
}

func (s *Service) removeAccount(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	var in struct{ AccountId string }
	if e := decode(call, &in); e != nil {
		return nil, e
	}
	_, e := s.change(ctx, call, func(o *org) string { return o.accountARN(in.AccountId) }, func(tx store.Tx, o *org) (any, error) {
		i, err := memberAccount(o, in.AccountId)
		if err != nil {
			return nil, err
		}
		if in.AccountId == o.ManagementAccount {
			return nil, errMasterCannotLeave
		}
		o.dropAccount(i)
		return nil, nil
	})
	return nil, e
}

var errMasterCannotLeave = orgError(http.StatusBadRequest, "MasterCannotLeaveOrganizationException", "You can't remove a management account from an AWS organization.")

// dropAccount takes the member at index i out of the organization, with
// its policy attachments and delegated administrations.
func (o *org) dropAccount(i int) {
	id := o.Accounts[i].ID
	o.Accounts = append(o.Accounts[:i], o.Accounts[i+1:]...)
	o.detachWhere(func(a store.OrgAttachment) bool { return a.TargetID != id })
	admins := o.DelegatedAdmins[:0]
	for _, d := range o.DelegatedAdmins {
		if d.Account != id {
			admins = append(admins, d)
		}
	}
	o.DelegatedAdmins = admins
}

// leaveOrganization is called by a member account, which leaves its
// organization; the management account cannot leave.
func (s *Service) leaveOrganization(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	if e := decode(call, &struct{}{}); e != nil {
		return nil, e
	}
	account := callerAccount(call)
	if e := s.authorize(ctx, call, account, "*"); e != nil {
		return nil, e
	}
	err := s.store.Update(ctx, func(tx store.Tx) error {
		o, err := orgOf(tx, account)
		if err != nil {
			return err
		}
		if o.ManagementAccount == account {
			return errMasterCannotLeave
		}
		v := &org{&o}
		i, err := memberAccount(v, account)
		if err != nil {
			return err
		}
		v.dropAccount(i)
		return tx.PutOrganization(o)
	})
	return nil, s.txError(err)
}

func (s *Service) listAccounts(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	var in pageRequest
	if e := decode(call, &in); e != nil {
		return nil, e
	}
	return s.read(ctx, call, (*org).orgARN, func(o *org) (any, *awsproto.Error) {
		return o.accountsPage(func(store.OrgAccount) bool { return true }, in)
	})
}

func (o *org) accountsPage(keep func(store.OrgAccount) bool, in pageRequest) (any, *awsproto.Error) {
	out := []accountShape{}
	for _, a := range o.Accounts {
		if keep(a) {
			out = append(out, o.accountShape(a))
		}
	}
	page, next, e := paginate(out, in)
	if e != nil {
		return nil, e
	}
	return listed("Accounts", page, next), nil
}

func (s *Service) listAccountsForParent(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	var in struct {
		pageRequest
		ParentId string
	}
	if e := decode(call, &in); e != nil {
		return nil, e
	}
	return s.read(ctx, call, func(o *org) string { return o.targetARN(in.ParentId) }, func(o *org) (any, *awsproto.Error) {
		if err := o.checkParent(in.ParentId, errParentNotFound); err != nil {
			return nil, s.txError(err)
		}
		return o.accountsPage(func(a store.OrgAccount) bool { return a.Parent == in.ParentId }, in.pageRequest)
	})
}

func (s *Service) describeAccount(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	var in struct{ AccountId string }
	if e := decode(call, &in); e != nil {
		return nil, e
	}
	return s.read(ctx, call, func(o *org) string { return o.accountARN(in.AccountId) }, func(o *org) (any, *awsproto.Error) {
		i, err := memberAccount(o, in.AccountId)
		if err != nil {
			return nil, s.txError(err)
		}
		return map[string]any{"Account": o.accountShape(o.Accounts[i])}, nil
	})
}

func (s *Service) moveAccount(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	var in struct{ AccountId, SourceParentId, DestinationParentId string }
	if e := decode(call, &in); e != nil {
		return nil, e
	}
	_, e := s.change(ctx, call, func(o *org) string { return o.accountARN(in.AccountId) }, func(tx store.Tx, o *org) (any, error) {
		i, err := memberAccount(o, in.AccountId)
		if err != nil {
			return nil, err
		}
		if err := o.checkParent(in.SourceParentId, errSourceNotFound); err != nil {
			return nil, err
		}
		if err := o.checkParent(in.DestinationParentId, errDestinationNotFound); err != nil {
			return nil, err
		}
		switch {
		case o.Accounts[i].Parent != in.SourceParentId:
			return nil, errSourceNotFound
		case in.SourceParentId == in.DestinationParentId:
			return nil, orgError(http.StatusBadRequest, "DuplicateAccountException", "That account is already present in the specified destination.")
		}
		o.Accounts[i].Parent = in.DestinationParentId
		return nil, nil
	})
	return nil, e
}

func (s *Service) listParents(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	var in struct {
		pageRequest
		ChildId string
	}
	if e := decode(call, &in); e != nil {
		return nil, e
	}
	return s.read(ctx, call, (*org).orgARN, func(o *org) (any, *awsproto.Error) {
		if !childIDPattern.MatchString(in.ChildId) {
			return nil, errPattern
		}
		parent := o.parentOf(in.ChildId)
		if parent == "" {
			return nil, errChildNotFound
		}
		kind := "ORGANIZATIONAL_UNIT"
		if parent == o.RootID {
			kind = "ROOT"
		}
		page, next, e := paginate([]idType{{Id: parent, Type: kind}}, in.pageRequest)
		if e != nil {
			return nil, e
		}
		return listed("Parents", page, next), nil
	})
}

func (s *Service) listChildren(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	var in struct {
		pageRequest
		ParentId, ChildType string
	}
	if e := decode(call, &in); e != nil {
		return nil, e
	}
	if in.ChildType != "ACCOUNT" && in.ChildType != "ORGANIZATIONAL_UNIT" {
		return nil, invalidInput("INVALID_ENUM", "You specified an invalid value.")
	}
	return s.read(ctx, call, func(o *org) string { return o.targetARN(in.ParentId) }, func(o *org) (any, *awsproto.Error) {
		if err := o.checkParent(in.ParentId, errParentNotFound); err != nil {
			return nil, s.txError(err)
		}
		out := []idType{}
		if in.ChildType == "ACCOUNT" {
			for _, a := range o.Accounts {
				if a.Parent == in.ParentId {
					out = append(out, idType{Id: a.ID, Type: "ACCOUNT"})
				}
			}
		} else {
			for _, u := range o.Units {
				if u.Parent == in.ParentId {
					out = append(out, idType{Id: u.ID, Type: "ORGANIZATIONAL_UNIT"})
				}
			}
		}
		page, next, e := paginate(out, in.pageRequest)
		if e != nil {
			return nil, e
		}
		return listed("Children", page, next), nil
	})
}

func toTags(in []tagShape) []store.Tag {
	var out []store.Tag
	for _, t := range in {
		out = append(out, store.Tag(t))
	}
	return out
}
