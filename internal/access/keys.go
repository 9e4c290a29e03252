package access

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/sekisho/sekisho/internal/creds"
	"github.com/sekisho/sekisho/internal/store"
)

// tokenKeysSetting names the setting holding the session-token sealing
// keys, newest first, as JSON. Every replica reads the same keys, so a
// token sealed by one is opened by all.
const tokenKeysSetting = "sts.session-token-keys"

// Key rotation: a key seals tokens for RotateEvery, then stays to open
// them for as long as the longest session lasts (GetSessionToken: 36 h).
const (
	RotateEvery       = 24 * time.Hour
	longestSession    = 36 * time.Hour
	keyRetention      = RotateEvery + longestSession
	sealerReloadEvery = time.Minute
)

type storedKey struct {
	ID      string    `json:"id"`
	Key     string    `json:"key"` // base64
	Created time.Time `json:"created"`
}

// LoadSealer returns a sealer over the store's token keys. It creates the
// first key, adds a new current key once the newest is RotateEvery old and
// drops keys no live token can use, all in one transaction, so replicas
// starting together agree.
func LoadSealer(ctx context.Context, st store.Store, now time.Time) (*creds.Sealer, error) {
	keys, err := readKeys(ctx, st)
	if err != nil {
		return nil, err
	}
	if needsRotation(keys, now) {
		if keys, err = rotateKeys(ctx, st, now); err != nil {
			return nil, err
		}
	}
	return sealerOf(keys)
}

func needsRotation(keys []storedKey, now time.Time) bool {
	return len(keys) == 0 || now.Sub(keys[0].Created) >= RotateEvery
}

func readKeys(ctx context.Context, st store.Store) ([]storedKey, error) {
	var keys []storedKey
	err := st.View(ctx, func(tx store.Tx) error {
		var err error
		keys, err = keysIn(tx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("session token keys: %w", err)
	}
	return keys, nil
}

func keysIn(tx store.Tx) ([]storedKey, error) {
	v, err := tx.GetSetting(tokenKeysSetting)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var keys []storedKey
	if err := json.Unmarshal([]byte(v), &keys); err != nil {
		return nil, errors.New("stored session token keys are malformed")
	}
	return keys, nil
}

// rotateKeys re-checks under the write lock (another replica may have
// rotated meanwhile), then prepends a new key and prunes expired ones.
func rotateKeys(ctx context.Context, st store.Store, now time.Time) ([]storedKey, error) {
	var keys []storedKey
	err := st.Update(ctx, func(tx store.Tx) error {
		var err error
		if keys, err = keysIn(tx); err != nil || !needsRotation(keys, now) {
			return err
		}
		k, err := creds.NewKey(fmt.Sprintf("k%d", now.Unix()))
		if err != nil {
			return err
		}
		keys = append([]storedKey{{ID: k.ID(), Key: base64.StdEncoding.EncodeToString(k.Bytes()), Created: now.UTC()}}, keys...)
		keys = pruneKeys(keys, now)
		raw, err := json.Marshal(keys)
		if err != nil {
			return err
		}
		return tx.PutSetting(tokenKeysSetting, string(raw))
	})
	if err != nil {
		return nil, fmt.Errorf("rotate session token keys: %w", err)
	}
	return keys, nil
}

// pruneKeys keeps the newest key and every key a live token may need.
func pruneKeys(keys []storedKey, now time.Time) []storedKey {
	out := keys[:1]
	for _, k := range keys[1:] {
		if now.Sub(k.Created) < keyRetention {
			out = append(out, k)
		}
	}
	return out
}

func sealerOf(keys []storedKey) (*creds.Sealer, error) {
	ring := make([]creds.Key, 0, len(keys))
	for _, sk := range keys {
		raw, err := base64.StdEncoding.DecodeString(sk.Key)
		if err != nil {
			return nil, errors.New("a stored session token key is not base64")
		}
		k, err := creds.KeyFromBytes(sk.ID, raw)
		if err != nil {
			return nil, err
		}
		ring = append(ring, k)
	}
	r, err := creds.NewKeyring(ring[0], ring[1:]...)
	if err != nil {
		return nil, err
	}
	return creds.NewSealer(r), nil
}
