package saml

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/sekisho/sekisho/internal/store"
)

// BuiltinEntityID is the issuer of Sekisho's built-in identity provider.
const BuiltinEntityID = "https://sekisho.local/saml/idp"

// builtinSetting is the store setting that keeps the built-in IdP (its
// private key included), so responses it signed verify after a restart.
const builtinSetting = "saml.builtin-idp"

// BuiltinIdP returns the store's built-in identity provider, creating its
// key on first use within tx.
func BuiltinIdP(tx store.Tx, now time.Time) (*IdP, error) {
	raw, err := tx.GetSetting(builtinSetting)
	switch {
	case err == nil:
		var p IdP
		if err := json.Unmarshal([]byte(raw), &p); err != nil {
			return nil, fmt.Errorf("built-in SAML IdP: %w", err)
		}
		return &p, nil
	case !errors.Is(err, store.ErrNotFound):
		return nil, fmt.Errorf("built-in SAML IdP: %w", err)
	}
	p, err := NewIdP(BuiltinEntityID, now)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("built-in SAML IdP: %w", err)
	}
	if err := tx.PutSetting(builtinSetting, string(b)); err != nil {
		return nil, fmt.Errorf("built-in SAML IdP: %w", err)
	}
	return p, nil
}
