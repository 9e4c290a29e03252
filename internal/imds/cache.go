package imds

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"fmt"
	"sync"
	"time"
)

// maxRefreshMargin bounds how long before expiry cached credentials are
// replaced. botocore extends credentials it receives with less than 12-20
// minutes left (its "static stability" window), so handing out credentials
// closer to expiry than that would make it use them after they expire.
const maxRefreshMargin = 30 * time.Minute

// errNoSource means the service was built without a CredentialSource.
var errNoSource = errors.New("no credential source configured")

// credCache holds an instance's latest credentials. The mutex is held
// while minting so concurrent polls mint once.
type credCache struct {
	mu    sync.Mutex
	creds Credentials
	valid bool
}

// get returns cached credentials, minting new ones when they are missing
// or due for refresh. If minting fails but the cached ones are still
// unexpired, those are returned along with the error.
func (c *credCache) get(ctx context.Context, now time.Time, mint func(context.Context) (Credentials, error)) (Credentials, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.valid && !dueForRefresh(c.creds, now) {
		return c.creds, nil
	}
	fresh, err := mint(ctx)
	if err == nil {
		c.creds, c.valid = fresh, true
		return fresh, nil
	}
	if c.valid && now.Before(c.creds.Expiration) {
		return c.creds, err
	}
	return Credentials{}, err
}

// dueForRefresh reports whether fewer than min(maxRefreshMargin, half the
// credentials' life) remain at now.
func dueForRefresh(c Credentials, now time.Time) bool {
	margin := c.Expiration.Sub(c.LastUpdated) / 2
	if margin > maxRefreshMargin || margin < 0 {
		margin = maxRefreshMargin
	}
	return !now.Before(c.Expiration.Add(-margin))
}

// credentials returns the instance's credentials via the cache.
func (s *Service) credentials(ctx context.Context, st *instanceState) (Credentials, error) {
	if s.cfg.Source == nil {
		return Credentials{}, errNoSource
	}
	c, err := st.cache.get(ctx, s.now(), func(ctx context.Context) (Credentials, error) {
		c, err := s.cfg.Source(ctx, st.inst)
		if err != nil {
			return Credentials{}, fmt.Errorf("mint credentials for %s: %w", st.inst.ID, err)
		}
		return c, nil
	})
	if err != nil {
		s.cfg.Log.WarnContext(ctx, "imds: credential source failed",
			"instance", st.inst.ID, "profile", st.inst.InstanceProfile, "serving_cached", c.AccessKeyID != "", "err", err)
	}
	return c, err
}

// roleCredentials returns credentials only if the instance has a profile
// and minting (or the cache) produced a role; false means "answer 404".
func (s *Service) roleCredentials(ctx context.Context, st *instanceState) (Credentials, bool) {
	if st.inst.InstanceProfile == "" {
		return Credentials{}, false
	}
	c, _ := s.credentials(ctx, st)
	return c, c.AccessKeyID != "" && c.RoleName != ""
}

// derivedProfileID makes a stable instance profile ID from its ARN.
func derivedProfileID(arn string) string {
	sum := sha256.Sum256([]byte(arn))
	return "AIPA" + base32.StdEncoding.EncodeToString(sum[:])[:17]
}
