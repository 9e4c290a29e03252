package iam

import (
	"context"
	"encoding/xml"
	"errors"
	"strings"

	"github.com/sekisho/sekisho/internal/access"
	"github.com/sekisho/sekisho/internal/awsproto"
	"github.com/sekisho/sekisho/internal/creds"
	"github.com/sekisho/sekisho/internal/policy"
	"github.com/sekisho/sekisho/internal/store"
)

func (s *Service) keyOperations() map[string]operation {
	return map[string]operation{
		"CreateAccessKey":      s.createAccessKey,
		"ListAccessKeys":       s.listAccessKeys,
		"UpdateAccessKey":      s.updateAccessKey,
		"DeleteAccessKey":      s.deleteAccessKey,
		"GetAccessKeyLastUsed": s.getAccessKeyLastUsed,
	}
}

// keyOwner is whose keys a call manages: a user, or the account root
// (empty name) when the root calls without UserName.
type keyOwner struct {
	account string
	user    string
}

// resolveKeyOwner reads UserName, which defaults to the calling user (or
// the root calling for itself).
func resolveKeyOwner(call *awsproto.Call, userName string) (keyOwner, *awsproto.Error) {
	o := keyOwner{account: callerAccount(call), user: userName}
	if userName != "" {
		return o, nil
	}
	switch call.Caller.Principal.Type {
	case policy.PrincipalRoot:
		return o, nil
	case policy.PrincipalUser:
		o.user = call.Caller.UserName
		return o, nil
	}
	return o, awsproto.ValidationError("Must specify userName when calling with non-User credentials")
}

// authorizedKeyOwner resolves the user a call names (or the caller) and
// authorizes the call on it.
func (s *Service) authorizedKeyOwner(ctx context.Context, call *awsproto.Call, userName string) (keyOwner, *awsproto.Error) {
	owner, e := resolveKeyOwner(call, userName)
	if e != nil {
		return owner, e
	}
	return owner, s.authorizeKeyOwner(ctx, call, owner)
}

// authorizeKeyOwner authorizes the call on the owner's ARN: the user's,
// or the root's for the root's own keys.
func (s *Service) authorizeKeyOwner(ctx context.Context, call *awsproto.Call, o keyOwner) *awsproto.Error {
	if o.user == "" {
		return s.authorize(ctx, call, o.account, access.RootARN(o.account), nil)
	}
	return s.authorizeOn(ctx, call, userResource, o.user, nil)
}

// checkOwner makes sure a named owner exists and returns its stored name.
func checkOwner(tx store.Tx, o keyOwner) (keyOwner, error) {
	if o.user == "" {
		return o, nil
	}
	u, err := getUser(tx, o.account, o.user)
	o.user = u.Name
	return o, err
}

type accessKeyXML struct {
	UserName        string `xml:"UserName,omitempty"`
	AccessKeyID     string `xml:"AccessKeyId"`
	Status          string `xml:"Status"`
	SecretAccessKey string `xml:"SecretAccessKey"`
	CreateDate      string `xml:"CreateDate"`
}

type createAccessKeyResult struct {
	XMLName   xml.Name     `xml:"CreateAccessKeyResult"`
	AccessKey accessKeyXML `xml:"AccessKey"`
}

func keyStatus(k store.AccessKey) string {
	if k.Active {
		return "Active"
	}
	return "Inactive"
}

func (s *Service) createAccessKey(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in := newInput(call.Params)
	name := in.optionalName("UserName", maxLookupName)
	if e := in.err(); e != nil {
		return nil, e
	}
	owner, e := s.authorizedKeyOwner(ctx, call, name)
	if e != nil {
		return nil, e
	}
	key := store.AccessKey{ID: creds.NewAccessKeyIDFor(false, owner.account), Secret: creds.NewSecretKey(), Account: owner.account,
		Active: true, CreatedAt: s.gate.Now()}
	quota := limitExceeded("Cannot exceed quota for AccessKeysPerUser: %d", store.MaxAccessKeys)
	err := s.store.Update(ctx, func(tx store.Tx) error {
		o, err := checkOwner(tx, owner)
		if err != nil {
			return err
		}
		keys, err := tx.ListAccessKeys(o.account, o.user)
		if err != nil {
			return err
		}
		if len(keys) >= store.MaxAccessKeys {
			return quota
		}
		key.UserName = o.user
		err = tx.CreateAccessKey(key)
		if errors.Is(err, store.ErrLimit) {
			return quota
		}
		return err
	})
	if e := s.txError(err); e != nil {
		return nil, e
	}
	return createAccessKeyResult{AccessKey: accessKeyXML{UserName: key.UserName, AccessKeyID: key.ID, Status: keyStatus(key),
		SecretAccessKey: key.Secret, CreateDate: timestamp(key.CreatedAt)}}, nil
}

type accessKeyMetadataXML struct {
	UserName    string `xml:"UserName,omitempty"`
	AccessKeyID string `xml:"AccessKeyId"`
	Status      string `xml:"Status"`
	CreateDate  string `xml:"CreateDate"`
}

type listAccessKeysResult struct {
	XMLName           xml.Name                      `xml:"ListAccessKeysResult"`
	AccessKeyMetadata members[accessKeyMetadataXML] `xml:"AccessKeyMetadata"`
	pageXML
}

func (s *Service) listAccessKeys(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in := newInput(call.Params)
	name := in.optionalName("UserName", maxLookupName)
	req := in.pageRequest()
	if e := in.err(); e != nil {
		return nil, e
	}
	owner, e := s.authorizedKeyOwner(ctx, call, name)
	if e != nil {
		return nil, e
	}
	var keys []store.AccessKey
	err := s.store.View(ctx, func(tx store.Tx) error {
		o, err := checkOwner(tx, owner)
		if err != nil {
			return err
		}
		keys, err = tx.ListAccessKeys(o.account, o.user)
		return err
	})
	if e := s.txError(err); e != nil {
		return nil, e
	}
	page, p, e := paginate(keys, func(k store.AccessKey) string {
		return k.CreatedAt.UTC().Format("20060102150405.000000000") + k.ID
	}, req)
	if e != nil {
		return nil, e
	}
	out := convertAll(page, func(k store.AccessKey) accessKeyMetadataXML {
		return accessKeyMetadataXML{UserName: k.UserName, AccessKeyID: k.ID, Status: keyStatus(k), CreateDate: timestamp(k.CreatedAt)}
	})
	return listAccessKeysResult{AccessKeyMetadata: memberList(out), pageXML: p}, nil
}

// readKeyCall reads the UserName and AccessKeyId of Update/DeleteAccessKey.
func readKeyCall(call *awsproto.Call, in *input) (keyOwner, string, *awsproto.Error) {
	name := in.optionalName("UserName", maxLookupName)
	id := in.text("AccessKeyId", true, 16, 128, &accessKeyIDPattern)
	if e := in.err(); e != nil {
		return keyOwner{}, "", e
	}
	owner, e := resolveKeyOwner(call, name)
	return owner, id, e
}

// ownedKey finds the key with id among the owner's keys.
func ownedKey(tx store.Tx, owner keyOwner, id string) (store.AccessKey, error) {
	o, err := checkOwner(tx, owner)
	if err != nil {
		return store.AccessKey{}, err
	}
	k, err := tx.GetAccessKey(id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && (k.Account != o.account || !strings.EqualFold(k.UserName, o.user))) {
		return store.AccessKey{}, noSuchAccessKey(id)
	}
	return k, err
}

func (s *Service) updateAccessKey(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in := newInput(call.Params)
	status := in.enum("Status", true, "Active", "Inactive")
	owner, id, e := readKeyCall(call, in)
	if e != nil {
		return nil, e
	}
	if e := s.authorizeKeyOwner(ctx, call, owner); e != nil {
		return nil, e
	}
	err := s.store.Update(ctx, func(tx store.Tx) error {
		k, err := ownedKey(tx, owner, id)
		if err != nil {
			return err
		}
		k.Active = status == "Active"
		return tx.UpdateAccessKey(k)
	})
	return nil, s.txError(err)
}

func (s *Service) deleteAccessKey(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	owner, id, e := readKeyCall(call, newInput(call.Params))
	if e != nil {
		return nil, e
	}
	if e := s.authorizeKeyOwner(ctx, call, owner); e != nil {
		return nil, e
	}
	err := s.store.Update(ctx, func(tx store.Tx) error {
		k, err := ownedKey(tx, owner, id)
		if err != nil {
			return err
		}
		return orNotFound(tx.DeleteAccessKey(k.ID), noSuchAccessKey(id))
	})
	return nil, s.txError(err)
}

type accessKeyLastUsedXML struct {
	LastUsedDate string `xml:"LastUsedDate,omitempty"`
	ServiceName  string `xml:"ServiceName"`
	Region       string `xml:"Region"`
}

type getAccessKeyLastUsedResult struct {
	XMLName           xml.Name             `xml:"GetAccessKeyLastUsedResult"`
	UserName          string               `xml:"UserName,omitempty"`
	AccessKeyLastUsed accessKeyLastUsedXML `xml:"AccessKeyLastUsed"`
}

// getAccessKeyLastUsed reports when a key of the caller's account was last
// used, and the service and region of that use: "N/A" for keys never
// used, as AWS answers.
func (s *Service) getAccessKeyLastUsed(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in := newInput(call.Params)
	id := in.text("AccessKeyId", true, 16, 128, &accessKeyIDPattern)
	if e := in.err(); e != nil {
		return nil, e
	}
	account := callerAccount(call)
	var key store.AccessKey
	found := true
	err := s.store.View(ctx, func(tx store.Tx) error {
		var err error
		key, err = tx.GetAccessKey(id)
		if errors.Is(err, store.ErrNotFound) || (err == nil && key.Account != account) {
			found = false
			return nil
		}
		return err
	})
	if err != nil {
		return nil, s.internal(err)
	}
	owner := keyOwner{account: account, user: key.UserName}
	if !found {
		owner.user = "*"
	}
	if e := s.authorizeKeyOwner(ctx, call, owner); e != nil {
		return nil, e
	}
	if !found {
		return nil, noSuchAccessKey(id)
	}
	used := accessKeyLastUsedXML{ServiceName: "N/A", Region: "N/A"}
	if !key.LastUsed.IsZero() {
		used = accessKeyLastUsedXML{LastUsedDate: optionalTimestamp(key.LastUsed), ServiceName: key.LastUsedService, Region: key.LastUsedRegion}
	}
	return getAccessKeyLastUsedResult{UserName: key.UserName, AccessKeyLastUsed: used}, nil
}
