package world

import (
	"context"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/store"
	"github.com/sekisho/sekisho/internal/store/sqlite"
)

const mfaWorldYAML = `
accounts:
  - id: "111111111111"
    users:
      - name: dave
        mfa_devices:
          - name: dave-phone
            path: /ops/
            seed: JBSWY3DPEHPK3PXP
`

// TestWorldMFADevices: a declared device is created enabled for its
// user; loading again leaves a device the APIs changed as it is.
func TestWorldMFADevices(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.OpenMemory()
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	w, err := Parse([]byte(mfaWorldYAML))
	if err != nil {
		t.Fatal(err)
	}
	if err := Load(ctx, st, w); err != nil {
		t.Fatal(err)
	}
	const serial = "arn:aws:iam::111111111111:mfa/ops/dave-phone"
	get := func() store.MFADevice {
		var d store.MFADevice
		if err := st.View(ctx, func(tx store.Tx) error { d, err = tx.GetMFADevice(serial); return err }); err != nil {
			t.Fatal(err)
		}
		return d
	}
	if d := get(); d.UserName != "dave" || d.Seed != "JBSWY3DPEHPK3PXP" || d.EnabledAt.IsZero() {
		t.Fatalf("declared device: %+v", d)
	}
	err = st.Update(ctx, func(tx store.Tx) error {
		d, err := tx.GetMFADevice(serial)
		if err != nil {
			return err
		}
		d.UserName, d.EnabledAt = "", time.Time{}
		return tx.UpdateMFADevice(d)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := Load(ctx, st, w); err != nil {
		t.Fatal(err)
	}
	if d := get(); d.UserName != "" {
		t.Fatalf("reload re-enabled a deactivated device: %+v", d)
	}

	bad, err := Parse([]byte(`
accounts:
  - id: "111111111111"
    users:
      - name: erin
        mfa_devices: [{name: x, seed: "not base32!"}]
`))
	if err != nil {
		t.Fatal(err)
	}
	if err := Load(ctx, st, bad); err == nil {
		t.Fatal("a bad seed loaded")
	}
}
