package access

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/sekisho/sekisho/internal/creds"
	"github.com/sekisho/sekisho/internal/store"
)

// tokenKeySetting names the setting holding the session-token sealing key
// as "<key id>:<base64 key>".
const tokenKeySetting = "sts.session-token-key"

// LoadSealer returns a sealer with the store's token key, creating and
// saving the key on first start so tokens survive restarts.
func LoadSealer(ctx context.Context, st store.Store) (*creds.Sealer, error) {
	var key creds.Key
	err := st.Update(ctx, func(tx store.Tx) error {
		v, err := tx.GetSetting(tokenKeySetting)
		if errors.Is(err, store.ErrNotFound) {
			if key, err = creds.NewKey("k1"); err != nil {
				return err
			}
			return tx.PutSetting(tokenKeySetting, key.ID()+":"+base64.StdEncoding.EncodeToString(key.Bytes()))
		}
		if err != nil {
			return err
		}
		key, err = decodeKey(v)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("session token key: %w", err)
	}
	ring, err := creds.NewKeyring(key)
	if err != nil {
		return nil, err
	}
	return creds.NewSealer(ring), nil
}

func decodeKey(v string) (creds.Key, error) {
	id, material, ok := strings.Cut(v, ":")
	if !ok {
		return creds.Key{}, errors.New("stored key is malformed")
	}
	raw, err := base64.StdEncoding.DecodeString(material)
	if err != nil {
		return creds.Key{}, errors.New("stored key is not base64")
	}
	return creds.KeyFromBytes(id, raw)
}
