package sts

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sekisho/sekisho/internal/access"
	"github.com/sekisho/sekisho/internal/creds"
	"github.com/sekisho/sekisho/internal/store"
)

// InstanceCredentials are the temporary credentials EC2 hands an instance
// for its instance profile's role.
type InstanceCredentials struct {
	RoleName        string
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	Expiration      time.Time
	LastUpdated     time.Time
}

// ErrNoInstanceRole means the instance profile is missing or holds no role.
var ErrNoInstanceRole = errors.New("instance profile has no role")

// instanceSessionDuration is how long instance credentials last; EC2
// rotates them well before expiry, and so do the SDKs that read them.
const instanceSessionDuration = 6 * time.Hour

// MintInstanceCredentials mints a session of the role in the instance
// profile, named after the instance (assumed-role/<role>/<instance-id>),
// as EC2 does on the instance's behalf: ec2.amazonaws.com is the caller,
// so only the trust policy's Service principal is consulted.
func (s *Service) MintInstanceCredentials(ctx context.Context, account, profileName, instanceID string) (InstanceCredentials, error) {
	var role store.Role
	err := s.store.View(ctx, func(tx store.Tx) error {
		ip, err := tx.GetInstanceProfile(account, profileName)
		if err != nil {
			return err
		}
		if len(ip.Roles) == 0 {
			return ErrNoInstanceRole
		}
		role, err = tx.GetRole(account, ip.Roles[0])
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return InstanceCredentials{}, fmt.Errorf("instance profile %s in %s: %w", profileName, account, ErrNoInstanceRole)
	}
	if err != nil {
		return InstanceCredentials{}, err
	}
	now := s.gate.Now().UTC().Truncate(time.Second)
	sess := &creds.Session{
		AccessKeyID: creds.NewAccessKeyIDFor(true, role.Account), SecretAccessKey: creds.NewSecretKey(),
		Account: role.Account, Kind: creds.AssumedRole, RoleARN: access.RoleARN(role), RoleID: role.ID,
		SessionName: instanceID, IssuedAt: now, Expires: now.Add(instanceSessionDuration),
	}
	token, err := s.gate.Sealer().Seal(sess)
	if err != nil {
		return InstanceCredentials{}, err
	}
	return InstanceCredentials{RoleName: role.Name, AccessKeyID: sess.AccessKeyID, SecretAccessKey: sess.SecretAccessKey,
		SessionToken: token, Expiration: sess.Expires, LastUpdated: now}, nil
}
