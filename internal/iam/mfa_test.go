package iam_test

import (
	"bytes"
	"encoding/base32"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/sekisho/sekisho/internal/testenv"
	"github.com/sekisho/sekisho/internal/totp"
)

// mfaEnv is a demo server whose clock the test moves (near real time, so
// signatures stay fresh), with account A's root client.
type mfaEnv struct {
	env  *testenv.Env
	root *iam.Client
	unix atomic.Int64
}

func startMFAEnv(t *testing.T) *mfaEnv {
	t.Helper()
	t.Parallel()
	m := &mfaEnv{}
	m.unix.Store(time.Now().Truncate(totp.Step).Add(time.Second).Unix())
	m.env = testenv.Start(t, testenv.WithClock(func() time.Time { return time.Unix(m.unix.Load(), 0) }))
	m.root = client(m.env, rootAKey, rootASecret)
	return m
}

// code is the code of seed offset steps from the server's current step.
func (m *mfaEnv) code(t *testing.T, seed []byte, offset int) string {
	t.Helper()
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(string(seed))
	if err != nil {
		t.Fatalf("seed %q: %v", seed, err)
	}
	return totp.CodeAt(key, m.unix.Load()/30+int64(offset))
}

func (m *mfaEnv) create(t *testing.T, name string) *types.VirtualMFADevice {
	t.Helper()
	out := must(m.root.CreateVirtualMFADevice(bg, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String(name),
		Tags: []types.Tag{{Key: aws.String("owner"), Value: aws.String("ops")}}}))(t)
	return out.VirtualMFADevice
}

func (m *mfaEnv) enable(t *testing.T, user string, d *types.VirtualMFADevice) error {
	t.Helper()
	_, err := m.root.EnableMFADevice(bg, &iam.EnableMFADeviceInput{UserName: aws.String(user), SerialNumber: d.SerialNumber,
		AuthenticationCode1: aws.String(m.code(t, d.Base32StringSeed, 0)), AuthenticationCode2: aws.String(m.code(t, d.Base32StringSeed, 1))})
	return err
}

func TestCreateVirtualMFADevice(t *testing.T) {
	m := startMFAEnv(t)
	d := must(m.root.CreateVirtualMFADevice(bg, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("phone"),
		Path: aws.String("/team/")}))(t).VirtualMFADevice
	if *d.SerialNumber != "arn:aws:iam::"+accountA+":mfa/team/phone" {
		t.Errorf("serial %s", *d.SerialNumber)
	}
	if len(d.Base32StringSeed) != 64 {
		t.Errorf("seed %q: want 64 base32 characters", d.Base32StringSeed)
	}
	if !bytes.HasPrefix(d.QRCodePNG, []byte("\x89PNG\r\n\x1a\n")) {
		t.Error("QRCodePNG is not a PNG")
	}
	_, err := m.root.CreateVirtualMFADevice(bg, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("PHONE")})
	wantError(t, err, "EntityAlreadyExists", 409, "MFADevice entity at the same path and name already exists.")
	_, err = m.root.CreateVirtualMFADevice(bg, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("bad name")})
	wantCode(t, err, "ValidationError", 400)
	// Without permission: carol has no policies.
	_, err = client(m.env, carolKey, carolSecret).CreateVirtualMFADevice(bg, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("x")})
	wantCode(t, err, "AccessDenied", 403)
}

// TestMFADeviceLifecycle: enable with two consecutive codes, list,
// summary counts, delete conflicts, deactivate, delete.
func TestMFADeviceLifecycle(t *testing.T) {
	m := startMFAEnv(t)
	must(m.root.CreateUser(bg, &iam.CreateUserInput{UserName: aws.String("dave")}))(t)
	d := m.create(t, "dave-phone")

	unassigned := must(m.root.ListVirtualMFADevices(bg, &iam.ListVirtualMFADevicesInput{AssignmentStatus: types.AssignmentStatusTypeUnassigned}))(t)
	if len(unassigned.VirtualMFADevices) != 1 || unassigned.VirtualMFADevices[0].User != nil {
		t.Fatalf("unassigned: %+v", unassigned.VirtualMFADevices)
	}

	seed := d.Base32StringSeed
	enable := func(c1, c2 string) error {
		_, err := m.root.EnableMFADevice(bg, &iam.EnableMFADeviceInput{UserName: aws.String("dave"), SerialNumber: d.SerialNumber,
			AuthenticationCode1: aws.String(c1), AuthenticationCode2: aws.String(c2)})
		return err
	}
	const badCode = "Authentication code for device is not valid."
	wantError(t, enable(m.code(t, seed, 0), m.code(t, seed, 2)), "InvalidAuthenticationCode", 403, badCode)
	wantError(t, enable(m.code(t, seed, 0), m.code(t, seed, 0)), "InvalidAuthenticationCode", 403, badCode)
	wantError(t, enable(m.code(t, seed, 5), m.code(t, seed, 6)), "InvalidAuthenticationCode", 403, badCode)
	wantCode(t, enable("12345", "123456"), "ValidationError", 400)
	if err := enable(m.code(t, seed, 0), m.code(t, seed, 1)); err != nil {
		t.Fatal(err)
	}
	wantError(t, enable(m.code(t, seed, 0), m.code(t, seed, 1)), "EntityAlreadyExists", 409, "MFA Device is already in use.")

	listed := must(m.root.ListMFADevices(bg, &iam.ListMFADevicesInput{UserName: aws.String("dave")}))(t)
	if len(listed.MFADevices) != 1 || *listed.MFADevices[0].SerialNumber != *d.SerialNumber || *listed.MFADevices[0].UserName != "dave" ||
		listed.MFADevices[0].EnableDate == nil {
		t.Fatalf("ListMFADevices: %+v", listed.MFADevices)
	}
	assigned := must(m.root.ListVirtualMFADevices(bg, &iam.ListVirtualMFADevicesInput{AssignmentStatus: types.AssignmentStatusTypeAssigned}))(t)
	if len(assigned.VirtualMFADevices) != 1 || assigned.VirtualMFADevices[0].User == nil || *assigned.VirtualMFADevices[0].User.UserName != "dave" ||
		assigned.VirtualMFADevices[0].Base32StringSeed != nil {
		t.Fatalf("assigned: %+v", assigned.VirtualMFADevices)
	}
	got := must(m.root.GetMFADevice(bg, &iam.GetMFADeviceInput{UserName: aws.String("dave"), SerialNumber: d.SerialNumber}))(t)
	if *got.SerialNumber != *d.SerialNumber || got.EnableDate == nil {
		t.Fatalf("GetMFADevice: %+v", got)
	}
	summary := must(m.root.GetAccountSummary(bg, nil))(t).SummaryMap
	if summary["MFADevices"] != 1 || summary["MFADevicesInUse"] != 1 {
		t.Fatalf("summary: MFADevices %d, in use %d", summary["MFADevices"], summary["MFADevicesInUse"])
	}

	// Resync with two later consecutive codes.
	m.unix.Add(5 * 30)
	_, err := m.root.ResyncMFADevice(bg, &iam.ResyncMFADeviceInput{UserName: aws.String("dave"), SerialNumber: d.SerialNumber,
		AuthenticationCode1: aws.String(m.code(t, seed, 3)), AuthenticationCode2: aws.String(m.code(t, seed, 4))})
	if err != nil {
		t.Fatalf("resync: %v", err)
	}

	_, err = m.root.DeleteUser(bg, &iam.DeleteUserInput{UserName: aws.String("dave")})
	wantError(t, err, "DeleteConflict", 409, "Cannot delete entity, must delete MFA device first.")
	_, err = m.root.DeleteVirtualMFADevice(bg, &iam.DeleteVirtualMFADeviceInput{SerialNumber: d.SerialNumber})
	wantError(t, err, "DeleteConflict", 409, "MFA VirtualDevice in use. Must deactivate first.")

	must(m.root.DeactivateMFADevice(bg, &iam.DeactivateMFADeviceInput{UserName: aws.String("dave"), SerialNumber: d.SerialNumber}))(t)
	listed = must(m.root.ListMFADevices(bg, &iam.ListMFADevicesInput{UserName: aws.String("dave")}))(t)
	if len(listed.MFADevices) != 0 {
		t.Fatalf("after deactivation: %+v", listed.MFADevices)
	}
	_, err = m.root.DeactivateMFADevice(bg, &iam.DeactivateMFADeviceInput{UserName: aws.String("dave"), SerialNumber: d.SerialNumber})
	wantCode(t, err, "NoSuchEntity", 404)
	must(m.root.DeleteVirtualMFADevice(bg, &iam.DeleteVirtualMFADeviceInput{SerialNumber: d.SerialNumber}))(t)
	_, err = m.root.DeleteVirtualMFADevice(bg, &iam.DeleteVirtualMFADeviceInput{SerialNumber: d.SerialNumber})
	wantError(t, err, "NoSuchEntity", 404, fmt.Sprintf("VirtualMFADevice with serial number %s doesn't exist.", *d.SerialNumber))
	must(m.root.DeleteUser(bg, &iam.DeleteUserInput{UserName: aws.String("dave")}))(t)
	summary = must(m.root.GetAccountSummary(bg, nil))(t).SummaryMap
	if summary["MFADevices"] != 0 || summary["MFADevicesInUse"] != 0 {
		t.Fatalf("summary after delete: %v", summary)
	}
}

func TestMFADeviceLimitAndTags(t *testing.T) {
	m := startMFAEnv(t)
	must(m.root.CreateUser(bg, &iam.CreateUserInput{UserName: aws.String("erin")}))(t)
	for i := range 9 {
		d := m.create(t, fmt.Sprintf("erin-%d", i))
		err := m.enable(t, "erin", d)
		if i < 8 && err != nil {
			t.Fatalf("device %d: %v", i, err)
		}
		if i == 8 {
			wantError(t, err, "LimitExceeded", 409, "Cannot exceed quota for MFADevicesPerUser: 8")
		}
	}
	serial := aws.String("arn:aws:iam::" + accountA + ":mfa/erin-8")
	tags := must(m.root.ListMFADeviceTags(bg, &iam.ListMFADeviceTagsInput{SerialNumber: serial}))(t).Tags
	if len(tags) != 1 || *tags[0].Key != "owner" {
		t.Fatalf("tags: %+v", tags)
	}
	must(m.root.TagMFADevice(bg, &iam.TagMFADeviceInput{SerialNumber: serial, Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("test")}}}))(t)
	must(m.root.UntagMFADevice(bg, &iam.UntagMFADeviceInput{SerialNumber: serial, TagKeys: []string{"owner"}}))(t)
	tags = must(m.root.ListMFADeviceTags(bg, &iam.ListMFADeviceTagsInput{SerialNumber: serial}))(t).Tags
	if len(tags) != 1 || *tags[0].Key != "env" {
		t.Fatalf("tags after tag/untag: %+v", tags)
	}
	// Another account's serial is not found.
	_, err := client(m.env, rootBKey, rootBSecret).ListMFADeviceTags(bg, &iam.ListMFADeviceTagsInput{SerialNumber: serial})
	wantCode(t, err, "NoSuchEntity", 404)
	if page := must(m.root.ListVirtualMFADevices(bg, &iam.ListVirtualMFADevicesInput{MaxItems: aws.Int32(5)}))(t); !page.IsTruncated ||
		len(page.VirtualMFADevices) != 5 || !strings.HasSuffix(*page.VirtualMFADevices[0].SerialNumber, "erin-0") {
		t.Fatalf("page: truncated %v, %d devices", page.IsTruncated, len(page.VirtualMFADevices))
	}
}

// GetMFADevice's UserName is the model's userNameType: 64 characters at most.
func TestGetMFADeviceUserNameLength(t *testing.T) {
	_, c := rootA(t)
	_, err := c.GetMFADevice(bg, &iam.GetMFADeviceInput{UserName: aws.String(strings.Repeat("u", 65)),
		SerialNumber: aws.String("arn:aws:iam::" + accountA + ":mfa/device")})
	wantCode(t, err, "ValidationError", 400)
}
