package sts

import (
	"context"
	"errors"
	"sync"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/sekisho/sekisho/internal/store"
)

// providerCache keeps OIDC providers and their parsed keys while the
// store's generation stands still, as the gate does for roles: a token
// verification then reads no rows. Any committed write empties it.
type providerCache struct {
	mu      sync.Mutex
	gen     uint64
	entries map[string]providerEntry
}

type providerEntry struct {
	provider store.OIDCProvider
	keys     *jose.JSONWebKeySet // nil until first needed
	found    bool
}

// maxCachedProviders bounds the cache; past it, it starts over.
const maxCachedProviders = 4096

// lookup returns the provider with this ARN (found false when there is
// none), from the cache while the store is unchanged.
func (c *providerCache) lookup(ctx context.Context, st store.Store, arn string) (providerEntry, error) {
	gen, err := st.Generation(ctx)
	if err != nil {
		return providerEntry{}, err
	}
	c.mu.Lock()
	if c.gen != gen || c.entries == nil || len(c.entries) >= maxCachedProviders {
		c.gen, c.entries = gen, map[string]providerEntry{}
	}
	e, ok := c.entries[arn]
	c.mu.Unlock()
	if ok {
		return e, nil
	}
	err = st.View(ctx, func(tx store.Tx) error {
		var err error
		e.provider, err = tx.GetOIDCProvider(arn)
		return err
	})
	switch {
	case errors.Is(err, store.ErrNotFound):
		e.found = false
	case err != nil:
		return providerEntry{}, err
	default:
		e.found = true
	}
	c.store(gen, arn, e)
	return e, nil
}

// remember records the provider's parsed keys for later lookups.
func (c *providerCache) remember(ctx context.Context, st store.Store, arn string, e providerEntry) {
	if gen, err := st.Generation(ctx); err == nil {
		c.store(gen, arn, e)
	}
}

func (c *providerCache) store(gen uint64, arn string, e providerEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen == gen && c.entries != nil {
		c.entries[arn] = e
	}
}
