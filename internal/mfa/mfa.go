// Package mfa authenticates with the store's virtual MFA devices: it
// checks a user's one-time code against the device enabled for that user
// and consumes it, so that no code passes twice (across restarts and
// replicas, as the last used time step lives in the store). STS calls it
// for AssumeRole and GetSessionToken; a console sign-in would too.
package mfa

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sekisho/sekisho/internal/store"
	"github.com/sekisho/sekisho/internal/totp"
)

// Verification failures, told apart because AWS answers them differently.
var (
	// ErrUnknownDevice: no device with this serial number is enabled for
	// the user.
	ErrUnknownDevice = errors.New("mfa: no such MFA device enabled for the user")
	// ErrInvalidCode: the code is wrong, outside the window, or used
	// already.
	ErrInvalidCode = errors.New("mfa: invalid one-time code")
)

// Verify checks code from the device serial, which must be enabled for
// the IAM user userName of account, at time now, and marks its time step
// used. It returns ErrUnknownDevice, ErrInvalidCode, or a store error.
func Verify(ctx context.Context, st store.Store, now time.Time, account, userName, serial, code string) error {
	var dev store.MFADevice
	err := st.View(ctx, func(tx store.Tx) error {
		var err error
		dev, err = tx.GetMFADevice(serial)
		return err
	})
	switch {
	case errors.Is(err, store.ErrNotFound):
		return ErrUnknownDevice
	case err != nil:
		return fmt.Errorf("mfa: read device: %w", err)
	}
	if userName == "" || dev.Account != account || !strings.EqualFold(dev.UserName, userName) {
		return ErrUnknownDevice
	}
	key, err := totp.DecodeSeed(dev.Seed)
	if err != nil {
		return fmt.Errorf("mfa: device %s: %w", dev.Serial, err)
	}
	step, ok := totp.Match(key, code, now, dev.LastStep)
	if !ok {
		return ErrInvalidCode
	}
	// The conditional update decides between callers racing with the same
	// code: only one of them raises the last used step.
	err = st.Update(ctx, func(tx store.Tx) error { return tx.UseMFAStep(dev.Serial, step) })
	switch {
	case errors.Is(err, store.ErrConflict):
		return ErrInvalidCode
	case errors.Is(err, store.ErrNotFound):
		return ErrUnknownDevice
	case err != nil:
		return fmt.Errorf("mfa: use code: %w", err)
	}
	return nil
}

// CurrentCode is the device's code at time now, for tests and the
// `sekisho mfa code` command: what an authenticator app would show.
func CurrentCode(ctx context.Context, st store.Store, serial string, now time.Time) (string, error) {
	var dev store.MFADevice
	err := st.View(ctx, func(tx store.Tx) error {
		var err error
		dev, err = tx.GetMFADevice(serial)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("MFA device %s: %w", serial, err)
	}
	key, err := totp.DecodeSeed(dev.Seed)
	if err != nil {
		return "", fmt.Errorf("MFA device %s: %w", serial, err)
	}
	return totp.Code(key, now), nil
}
