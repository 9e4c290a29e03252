package sts

import (
	"context"
	"encoding/xml"
	"errors"
	"net/http"
	"regexp"

	"github.com/sekisho/sekisho/internal/access"
	"github.com/sekisho/sekisho/internal/authz"
	"github.com/sekisho/sekisho/internal/awsproto"
	"github.com/sekisho/sekisho/internal/creds"
	"github.com/sekisho/sekisho/internal/store"
)

var accessKeyIDPattern = regexp.MustCompile(`^\w*$`)

type accessKeyInfoResult struct {
	XMLName xml.Name `xml:"GetAccessKeyInfoResult"`
	Account string   `xml:"Account"`
}

// getAccessKeyInfo answers the account that owns an access key id: from
// the store for long-term keys (world files may spell key ids by hand),
// else read from the id itself, which holds it in AWS's layout (every key
// Sekisho generates, long-term or temporary, and AWS's own).
func (s *Service) getAccessKeyInfo(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	id, e := call.Params.Required("AccessKeyId")
	if e != nil {
		return nil, e
	}
	switch {
	case len(id) < 16:
		return nil, validationError(id, "accessKeyId", "Member must have length greater than or equal to 16")
	case len(id) > 128:
		return nil, validationError(id, "accessKeyId", "Member must have length less than or equal to 128")
	case !accessKeyIDPattern.MatchString(id):
		return nil, validationError(id, "accessKeyId", `Member must satisfy regular expression pattern: [\w]*`)
	}
	d, err := s.gate.Authorize(ctx, call.Caller, access.Check{Action: "sts:GetAccessKeyInfo", Resource: "*",
		Context: call.Context.Clone(), RequestID: call.RequestID})
	if err != nil {
		return nil, s.internal(err)
	}
	if d.Effect != authz.Allowed {
		return nil, awsproto.AccessDenied(d.Message())
	}
	account, err := s.accountOfKey(ctx, id)
	if err != nil {
		return nil, s.internal(err)
	}
	if account == "" {
		return nil, awsproto.Errorf(http.StatusBadRequest, "InvalidParameterValue", "The access key ID %s is not valid.", id)
	}
	return accessKeyInfoResult{Account: account}, nil
}

// accountOfKey returns the key's account, or "" when neither the id nor
// the store tells it.
func (s *Service) accountOfKey(ctx context.Context, id string) (string, error) {
	var account string
	err := s.store.View(ctx, func(tx store.Tx) error {
		key, err := tx.GetAccessKey(id)
		if err == nil {
			account = key.Account
		}
		return err
	})
	switch {
	case err == nil:
		return account, nil
	case !errors.Is(err, store.ErrNotFound):
		return "", err
	}
	account, _ = creds.AccountOfAccessKeyID(id)
	return account, nil
}
