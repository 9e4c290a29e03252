package iam

import (
	"context"
	"encoding/xml"
	"strings"

	"github.com/sekisho/sekisho/internal/access"
	"github.com/sekisho/sekisho/internal/awsproto"
	"github.com/sekisho/sekisho/internal/creds"
	"github.com/sekisho/sekisho/internal/store"
)

type mfaDeviceXML struct {
	UserName     string `xml:"UserName"`
	SerialNumber string `xml:"SerialNumber"`
	EnableDate   string `xml:"EnableDate"`
}

type listMFADevicesResult struct {
	XMLName    xml.Name              `xml:"ListMFADevicesResult"`
	MFADevices members[mfaDeviceXML] `xml:"MFADevices"`
	pageXML
}

func serialKey(d store.MFADevice) string { return strings.ToLower(d.Serial) + "\x00" + d.Serial }

// listMFADevices lists the devices enabled for a user, the caller by
// default (the root has none here).
func (s *Service) listMFADevices(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in := newInput(call.Params)
	name := in.optionalName("UserName", maxLookupName)
	req := in.pageRequest()
	if e := in.err(); e != nil {
		return nil, e
	}
	owner, e := s.authorizedKeyOwner(ctx, call, name)
	if e != nil {
		return nil, e
	}
	var devices []store.MFADevice
	err := s.store.View(ctx, func(tx store.Tx) error {
		o, err := checkOwner(tx, owner)
		if err != nil || o.user == "" {
			return err
		}
		devices, err = tx.ListUserMFADevices(o.account, o.user)
		return err
	})
	if e := s.txError(err); e != nil {
		return nil, e
	}
	page, p, e := paginate(devices, serialKey, req)
	if e != nil {
		return nil, e
	}
	out := convertAll(page, func(d store.MFADevice) mfaDeviceXML {
		return mfaDeviceXML{UserName: d.UserName, SerialNumber: d.Serial, EnableDate: timestamp(d.EnabledAt)}
	})
	return listMFADevicesResult{MFADevices: memberList(out), pageXML: p}, nil
}

type listVirtualMFADevicesResult struct {
	XMLName           xml.Name                     `xml:"ListVirtualMFADevicesResult"`
	VirtualMFADevices members[virtualMFADeviceXML] `xml:"VirtualMFADevices"`
	pageXML
}

func (s *Service) listVirtualMFADevices(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in := newInput(call.Params)
	status := in.enum("AssignmentStatus", false, "Assigned", "Unassigned", "Any")
	req := in.pageRequest()
	if e := in.err(); e != nil {
		return nil, e
	}
	account := callerAccount(call)
	if e := s.authorize(ctx, call, account, "*", nil); e != nil {
		return nil, e
	}
	var devices []store.MFADevice
	users := map[string]store.User{}
	err := s.store.View(ctx, func(tx store.Tx) error {
		all, err := tx.ListMFADevices(account)
		if err != nil {
			return err
		}
		for _, d := range all {
			assigned := d.UserName != ""
			if (status == "Assigned" && !assigned) || (status == "Unassigned" && assigned) {
				continue
			}
			devices = append(devices, d)
			if assigned {
				if users[d.UserName], err = tx.GetUser(account, d.UserName); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if e := s.txError(err); e != nil {
		return nil, e
	}
	page, p, e := paginate(devices, serialKey, req)
	if e != nil {
		return nil, e
	}
	out := make([]virtualMFADeviceXML, 0, len(page))
	for _, d := range page {
		x := virtualMFADeviceXML{SerialNumber: d.Serial, EnableDate: optionalTimestamp(d.EnabledAt), Tags: optionalList(toTagsXML(d.Tags))}
		if u, ok := users[d.UserName]; ok {
			ux := toUserXML(u, summary)
			x.User = &ux
		}
		out = append(out, x)
	}
	return listVirtualMFADevicesResult{VirtualMFADevices: memberList(out), pageXML: p}, nil
}

func (s *Service) tagMFADevice(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in := newInput(call.Params)
	serial := in.serialNumber()
	edit, e := readTagEdit(in, "MFADevice")
	if e != nil {
		return nil, e
	}
	return nil, s.updateMFATags(ctx, call, serial, edit)
}

func (s *Service) untagMFADevice(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in := newInput(call.Params)
	serial := in.serialNumber()
	edit, e := readUntagEdit(in)
	if e != nil {
		return nil, e
	}
	return nil, s.updateMFATags(ctx, call, serial, edit)
}

func (s *Service) updateMFATags(ctx context.Context, call *awsproto.Call, serial string, edit tagEdit) *awsproto.Error {
	account := callerAccount(call)
	if e := s.authorize(ctx, call, account, serial, edit.keys); e != nil {
		return e
	}
	err := s.store.Update(ctx, func(tx store.Tx) error {
		d, err := accountDevice(tx, account, serial)
		if err != nil {
			return err
		}
		tags, e := edit.change(d.Tags)
		if e != nil {
			return e
		}
		d.Tags = tags
		return tx.UpdateMFADevice(d)
	})
	return s.txError(err)
}

func (s *Service) listMFADeviceTags(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in := newInput(call.Params)
	serial := in.serialNumber()
	req := in.pageRequest()
	if e := in.err(); e != nil {
		return nil, e
	}
	account := callerAccount(call)
	if e := s.authorize(ctx, call, account, serial, nil); e != nil {
		return nil, e
	}
	d, err := store.Read(ctx, s.store, func(tx store.Tx) (store.MFADevice, error) { return accountDevice(tx, account, serial) })
	if e := s.txError(err); e != nil {
		return nil, e
	}
	return tagsPage(call, d.Tags, req)
}

// sessionWithoutMFA reports whether the caller uses GetSessionToken
// credentials obtained without MFA, or GetFederationToken credentials,
// with which AWS refuses every IAM API call. AssumeRoot sessions may call
// IAM (their task policy decides what). A console sign-in session is the
// user's own console identity, not a GetSessionToken credential, so the
// rule does not apply to it.
func sessionWithoutMFA(c *access.Caller) bool {
	if c.Session == nil || c.IsRoleSession() || c.Session.Kind == creds.RootTask || c.Session.Console {
		return false
	}
	return c.IsFederatedUser() || !c.Session.MFA
}
