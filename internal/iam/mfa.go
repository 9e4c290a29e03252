package iam

import (
	"context"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/sekisho/sekisho/internal/awsproto"
	"github.com/sekisho/sekisho/internal/store"
	"github.com/sekisho/sekisho/internal/totp"
)

// Virtual MFA devices: created unassigned with a fresh seed, enabled for
// a user with two consecutive codes, then checked by STS (package mfa).

func (s *Service) mfaOperations() map[string]operation {
	return map[string]operation{
		"CreateVirtualMFADevice": s.createVirtualMFADevice,
		"EnableMFADevice":        s.enableMFADevice,
		"ResyncMFADevice":        s.resyncMFADevice,
		"DeactivateMFADevice":    s.deactivateMFADevice,
		"DeleteVirtualMFADevice": s.deleteVirtualMFADevice,
		"GetMFADevice":           s.getMFADevice,
		"ListMFADevices":         s.listMFADevices,
		"ListVirtualMFADevices":  s.listVirtualMFADevices,
		"TagMFADevice":           s.tagMFADevice,
		"UntagMFADevice":         s.untagMFADevice,
		"ListMFADeviceTags":      s.listMFADeviceTags,
	}
}

var (
	serialPattern   = constraint{re: regexp.MustCompile(`^[\w+=/:,.@-]+$`), shown: `[\w+=/:,.@-]+`}
	authCodePattern = constraint{re: regexp.MustCompile(`^[\d]+$`), shown: `[\d]+`}
)

// Lengths from the model.
const (
	maxMFADeviceName = 226
	minSerial        = 9
	maxSerial        = 256
)

// mfaIssuer is the issuer AWS writes into the otpauth:// URI.
const mfaIssuer = "Amazon Web Services"

// resyncSteps is how far, in 30-second steps either way, ResyncMFADevice
// looks for the two codes: a device whose clock drifted by up to ten
// minutes can be brought back.
const resyncSteps = 20

func mfaSerial(account, path, name string) string {
	return "arn:aws:iam::" + account + ":mfa" + path + name
}

func noSuchMFADevice(serial string) *awsproto.Error {
	return noSuchEntity("VirtualMFADevice with serial number %s doesn't exist.", serial)
}

func invalidAuthenticationCode() *awsproto.Error {
	return awsproto.Errorf(http.StatusForbidden, "InvalidAuthenticationCode", "Authentication code for device is not valid.")
}

// serialNumber reads a required SerialNumber.
func (in *input) serialNumber() string {
	return in.text("SerialNumber", true, minSerial, maxSerial, &serialPattern)
}

// authCodes reads AuthenticationCode1 and AuthenticationCode2.
func (in *input) authCodes() (string, string) {
	return in.text("AuthenticationCode1", true, 6, 6, &authCodePattern), in.text("AuthenticationCode2", true, 6, 6, &authCodePattern)
}

type virtualMFADeviceXML struct {
	SerialNumber     string           `xml:"SerialNumber"`
	Base32StringSeed string           `xml:"Base32StringSeed,omitempty"`
	QRCodePNG        string           `xml:"QRCodePNG,omitempty"`
	User             *userXML         `xml:"User"`
	EnableDate       string           `xml:"EnableDate,omitempty"`
	Tags             *members[tagXML] `xml:"Tags"`
}

type createVirtualMFADeviceResult struct {
	XMLName          xml.Name            `xml:"CreateVirtualMFADeviceResult"`
	VirtualMFADevice virtualMFADeviceXML `xml:"VirtualMFADevice"`
}

func (s *Service) createVirtualMFADevice(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in := newInput(call.Params)
	name := in.name("VirtualMFADeviceName", maxMFADeviceName)
	path := in.path("Path")
	tags := in.tags(false)
	if e := in.err(); e != nil {
		return nil, e
	}
	if e := checkTagKeys(tags); e != nil {
		return nil, e
	}
	account := callerAccount(call)
	d := store.MFADevice{Serial: mfaSerial(account, path, name), Account: account, Name: name, Path: path,
		Seed: totp.NewSeed(), Tags: tags, CreatedAt: s.gate.Now()}
	if e := s.authorize(ctx, call, account, d.Serial, tagContext(tags, nil)); e != nil {
		return nil, e
	}
	var accountName string
	err := s.store.Update(ctx, func(tx store.Tx) error {
		accountName = account
		if a, err := tx.GetAccount(account); err == nil && a.Alias != "" {
			accountName = a.Alias
		}
		return orExists(tx.CreateMFADevice(d), entityExists("MFADevice entity at the same path and name already exists."))
	})
	if e := s.txError(err); e != nil {
		return nil, e
	}
	png, err := totp.QRCodePNG(totp.URI(mfaIssuer, name+"@"+accountName, d.Seed))
	if err != nil {
		return nil, s.internal(err)
	}
	// Both blobs travel base64-encoded, as AWS sends them; the seed's
	// bytes are its base32 text.
	return createVirtualMFADeviceResult{VirtualMFADevice: virtualMFADeviceXML{
		SerialNumber:     d.Serial,
		Base32StringSeed: base64.StdEncoding.EncodeToString([]byte(d.Seed)),
		QRCodePNG:        base64.StdEncoding.EncodeToString(png),
		Tags:             optionalList(toTagsXML(tags)),
	}}, nil
}

// accountDevice reads a device of the account, NoSuchEntity otherwise.
func accountDevice(tx store.Tx, account, serial string) (store.MFADevice, error) {
	d, err := tx.GetMFADevice(serial)
	if errors.Is(err, store.ErrNotFound) || (err == nil && d.Account != account) {
		return store.MFADevice{}, noSuchMFADevice(serial)
	}
	return d, err
}

// userDevice reads a device enabled for the user, NoSuchEntity otherwise.
func userDevice(tx store.Tx, account, user, serial string) (store.MFADevice, error) {
	d, err := accountDevice(tx, account, serial)
	if err == nil && !strings.EqualFold(d.UserName, user) {
		return store.MFADevice{}, noSuchMFADevice(serial)
	}
	return d, err
}

// matchCodes checks two consecutive codes of d, searching steps either
// way of now, and returns the second's step.
func (s *Service) matchCodes(d store.MFADevice, code1, code2 string, steps int64) (int64, error) {
	key, err := totp.DecodeSeed(d.Seed)
	if err != nil {
		return 0, err
	}
	step, ok := totp.MatchConsecutive(key, code1, code2, s.gate.Now(), d.LastStep, steps)
	if !ok {
		return 0, invalidAuthenticationCode()
	}
	return step, nil
}

// mfaUserCall reads UserName (required) and SerialNumber and authorizes
// the call on the user.
func (s *Service) mfaUserCall(ctx context.Context, call *awsproto.Call, in *input) (user, serial string, e *awsproto.Error) {
	user = in.name("UserName", maxLookupName)
	serial = in.serialNumber()
	if e := in.err(); e != nil {
		return "", "", e
	}
	return user, serial, s.authorizeOn(ctx, call, userResource, user, nil)
}

func (s *Service) enableMFADevice(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in := newInput(call.Params)
	code1, code2 := in.authCodes()
	user, serial, e := s.mfaUserCall(ctx, call, in)
	if e != nil {
		return nil, e
	}
	account := callerAccount(call)
	quota := limitExceeded("Cannot exceed quota for MFADevicesPerUser: %d", store.MaxMFADevices)
	err := s.store.Update(ctx, func(tx store.Tx) error {
		u, err := getUser(tx, account, user)
		if err != nil {
			return err
		}
		d, err := accountDevice(tx, account, serial)
		if err != nil {
			return err
		}
		if d.UserName != "" {
			return entityExists("MFA Device is already in use.")
		}
		step, err := s.matchCodes(d, code1, code2, totp.Window)
		if err != nil {
			return err
		}
		d.UserName, d.EnabledAt = u.Name, s.gate.Now()
		if err := tx.UpdateMFADevice(d); errors.Is(err, store.ErrLimit) {
			return quota
		} else if err != nil {
			return err
		}
		return tx.UseMFAStep(d.Serial, step)
	})
	return nil, s.txError(err)
}

// resyncMFADevice accepts two consecutive codes further from now than a
// sign-in would and marks them used. Sekisho keeps no per-device drift:
// later codes are still checked in the window around the server's clock,
// so resynchronizing only proves the device still holds the seed.
func (s *Service) resyncMFADevice(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in := newInput(call.Params)
	code1, code2 := in.authCodes()
	user, serial, e := s.mfaUserCall(ctx, call, in)
	if e != nil {
		return nil, e
	}
	account := callerAccount(call)
	err := s.store.Update(ctx, func(tx store.Tx) error {
		if _, err := getUser(tx, account, user); err != nil {
			return err
		}
		d, err := userDevice(tx, account, user, serial)
		if err != nil {
			return err
		}
		step, err := s.matchCodes(d, code1, code2, resyncSteps)
		if err != nil {
			return err
		}
		return tx.UseMFAStep(d.Serial, step)
	})
	return nil, s.txError(err)
}

func (s *Service) deactivateMFADevice(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in := newInput(call.Params)
	name := in.optionalName("UserName", maxLookupName)
	serial := in.serialNumber()
	if e := in.err(); e != nil {
		return nil, e
	}
	owner, e := s.authorizedKeyOwner(ctx, call, name)
	if e != nil {
		return nil, e
	}
	err := s.store.Update(ctx, func(tx store.Tx) error {
		o, err := checkOwner(tx, owner)
		if err != nil {
			return err
		}
		if o.user == "" { // the root has no virtual devices of its own here
			return noSuchMFADevice(serial)
		}
		d, err := userDevice(tx, o.account, o.user, serial)
		if err != nil {
			return err
		}
		d.UserName, d.EnabledAt = "", time.Time{}
		return tx.UpdateMFADevice(d)
	})
	return nil, s.txError(err)
}

func (s *Service) deleteVirtualMFADevice(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in := newInput(call.Params)
	serial := in.serialNumber()
	if e := in.err(); e != nil {
		return nil, e
	}
	account := callerAccount(call)
	if e := s.authorize(ctx, call, account, serial, nil); e != nil {
		return nil, e
	}
	err := s.store.Update(ctx, func(tx store.Tx) error {
		d, err := accountDevice(tx, account, serial)
		if err != nil {
			return err
		}
		if d.UserName != "" {
			return deleteConflict("MFA VirtualDevice in use. Must deactivate first.")
		}
		return orNotFound(tx.DeleteMFADevice(d.Serial), noSuchMFADevice(serial))
	})
	return nil, s.txError(err)
}

type getMFADeviceResult struct {
	XMLName      xml.Name `xml:"GetMFADeviceResult"`
	UserName     string   `xml:"UserName,omitempty"`
	SerialNumber string   `xml:"SerialNumber"`
	EnableDate   string   `xml:"EnableDate,omitempty"`
}

func (s *Service) getMFADevice(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in := newInput(call.Params)
	name := in.optionalName("UserName", maxUserName) // userNameType here, not existingUserNameType
	serial := in.serialNumber()
	if e := in.err(); e != nil {
		return nil, e
	}
	owner, e := s.authorizedKeyOwner(ctx, call, name)
	if e != nil {
		return nil, e
	}
	var d store.MFADevice
	err := s.store.View(ctx, func(tx store.Tx) error {
		o, err := checkOwner(tx, owner)
		if err != nil {
			return err
		}
		if o.user == "" {
			return noSuchMFADevice(serial)
		}
		d, err = userDevice(tx, o.account, o.user, serial)
		return err
	})
	if e := s.txError(err); e != nil {
		return nil, e
	}
	return getMFADeviceResult{UserName: d.UserName, SerialNumber: d.Serial, EnableDate: optionalTimestamp(d.EnabledAt)}, nil
}
