package sts_test

import (
	"context"
	"encoding/base32"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"

	"github.com/sekisho/sekisho/internal/testenv"
	"github.com/sekisho/sekisho/internal/totp"
	"github.com/sekisho/sekisho/internal/world"
)

// mfaWorld has a role whose trust policy needs MFA, with a permission
// that needs a fresh one, a role chained from it, and alice in account B
// allowed to read herself through IAM.
const mfaWorld = `
accounts:
  - id: "111111111111"
    roles:
      - name: mfa-gated
        trust_policy: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"222222222222"},"Action":"sts:AssumeRole","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}'
        inline_policies:
          fresh-mfa: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetRole","Resource":"*","Condition":{"NumericLessThan":{"aws:MultiFactorAuthAge":"300"}}},{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}'
      - name: mfa-chained
        trust_policy: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:role/mfa-gated"},"Action":"sts:AssumeRole","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}'
  - id: "222222222222"
    policies:
      - name: AssumeAndReadSelf
        document: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:AssumeRole","iam:GetUser"],"Resource":"*"}]}'
    users:
      - name: alice
        policies: [AssumeAndReadSelf]
`

const (
	rootBKey    = "AKIA2222ROOT00000001"
	rootBSecret = "DemoRootSecretForAccountB0000000000000001"
	mfaGated    = "arn:aws:iam::111111111111:role/mfa-gated"
	mfaChained  = "arn:aws:iam::111111111111:role/mfa-chained"
)

// fakeClock is the server's clock in these tests: near real time (so
// SigV4's skew check passes) but moved only by the test, step by step.
type fakeClock struct{ unix atomic.Int64 }

func newFakeClock() *fakeClock {
	c := &fakeClock{}
	// One second into a step, so that codes do not change under the test.
	c.unix.Store(time.Now().Truncate(totp.Step).Add(time.Second).Unix())
	return c
}

func (c *fakeClock) now() time.Time          { return time.Unix(c.unix.Load(), 0) }
func (c *fakeClock) advance(d time.Duration) { c.unix.Add(int64(d / time.Second)) }

// device is a virtual MFA device the test can compute codes of.
type device struct {
	serial string
	key    []byte
	clock  *fakeClock
}

// code is the device's code offset steps from the clock's step.
func (d *device) code(offset int) string {
	return totp.CodeAt(d.key, totp.StepAt(d.clock.now())+int64(offset))
}

func startMFA(t *testing.T) (*testenv.Env, *fakeClock) {
	t.Helper()
	t.Parallel()
	w, err := world.Parse([]byte(mfaWorld))
	if err != nil {
		t.Fatal(err)
	}
	clock := newFakeClock()
	return testenv.Start(t, testenv.WithWorld(w), testenv.WithClock(clock.now)), clock
}

func iamWith(env *testenv.Env, key, secret, token string) *iam.Client {
	return iam.New(iam.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(env.URL), Retryer: aws.NopRetryer{},
		Credentials: credentials.NewStaticCredentialsProvider(key, secret, token),
	})
}

// enableDevice creates a virtual MFA device with account B's root and
// enables it for alice with two consecutive codes, then moves the clock
// past the steps those codes used.
func enableDevice(t *testing.T, env *testenv.Env, clock *fakeClock) *device {
	t.Helper()
	ctx := context.Background()
	root := iamWith(env, rootBKey, rootBSecret, "")
	out, err := root.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("alice-phone")})
	if err != nil {
		t.Fatal(err)
	}
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(string(out.VirtualMFADevice.Base32StringSeed))
	if err != nil {
		t.Fatalf("seed %q: %v", out.VirtualMFADevice.Base32StringSeed, err)
	}
	d := &device{serial: *out.VirtualMFADevice.SerialNumber, key: key, clock: clock}
	_, err = root.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: aws.String("alice"), SerialNumber: aws.String(d.serial),
		AuthenticationCode1: aws.String(d.code(0)), AuthenticationCode2: aws.String(d.code(1))})
	if err != nil {
		t.Fatal(err)
	}
	clock.advance(2 * totp.Step)
	return d
}

func wantDenied(t *testing.T, err error, code, message string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != code || (message != "" && ae.ErrorMessage() != message) {
		t.Fatalf("want %s %q, got %v", code, message, err)
	}
}

const (
	invalidCode   = "MultiFactorAuthentication failed with invalid MFA one time pass code."
	unknownDevice = "MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user."
)

// TestAssumeRoleVerifiesMFA: the MFA-gated trust policy passes only with
// the right code of alice's enabled device, once.
func TestAssumeRoleVerifiesMFA(t *testing.T) {
	env, clock := startMFA(t)
	ctx := context.Background()
	d := enableDevice(t, env, clock)
	alice := stsClient(env, aliceKey, aliceSecret, "")
	in := func(serial, code string) *sts.AssumeRoleInput {
		return &sts.AssumeRoleInput{RoleArn: aws.String(mfaGated), RoleSessionName: aws.String("mfa"),
			SerialNumber: aws.String(serial), TokenCode: aws.String(code)}
	}
	_, err := alice.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(mfaGated), RoleSessionName: aws.String("mfa")})
	wantDenied(t, err, "AccessDenied", "")

	wrong := "123456"
	if wrong == d.code(0) {
		wrong = "654321"
	}
	_, err = alice.AssumeRole(ctx, in(d.serial, wrong))
	wantDenied(t, err, "AccessDenied", invalidCode)
	_, err = alice.AssumeRole(ctx, in("arn:aws:iam::222222222222:mfa/nobody", d.code(0)))
	wantDenied(t, err, "AccessDenied", unknownDevice)
	_, err = alice.AssumeRole(ctx, in(d.serial, d.code(-3))) // outside the window
	wantDenied(t, err, "AccessDenied", invalidCode)

	out, err := alice.AssumeRole(ctx, in(d.serial, d.code(0)))
	if err != nil {
		t.Fatalf("right code: %v", err)
	}
	_, err = alice.AssumeRole(ctx, in(d.serial, d.code(0)))
	wantDenied(t, err, "AccessDenied", invalidCode) // the same code again

	// aws:MultiFactorAuthAge: the session's permission needs an MFA
	// authentication less than 300 seconds old.
	role := iamClient(env, out.Credentials)
	if _, err := role.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("mfa-gated")}); err != nil {
		t.Fatalf("fresh MFA: %v", err)
	}
	// Role chaining keeps the MFA context.
	chained, err := stsClient(env, *out.Credentials.AccessKeyId, *out.Credentials.SecretAccessKey, *out.Credentials.SessionToken).
		AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(mfaChained), RoleSessionName: aws.String("chain")})
	if err != nil || chained.Credentials == nil {
		t.Fatalf("role chaining from an MFA session: %v", err)
	}
	clock.advance(6 * time.Minute)
	_, err = role.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("mfa-gated")})
	wantDenied(t, err, "AccessDenied", "")
}

// TestGetSessionTokenMFA: without MFA the session may not call IAM
// (InvalidClientTokenId, as AWS answers) but may still assume a role and
// ask who it is; with a verified code IAM calls pass and the session
// carries MFA into AssumeRole.
func TestGetSessionTokenMFA(t *testing.T) {
	env, clock := startMFA(t)
	ctx := context.Background()
	d := enableDevice(t, env, clock)
	alice := stsClient(env, aliceKey, aliceSecret, "")
	if _, err := iamWith(env, aliceKey, aliceSecret, "").GetUser(ctx, nil); err != nil {
		t.Fatalf("long-term keys: %v", err)
	}

	plain, err := alice.GetSessionToken(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = iamClient(env, plain.Credentials).GetUser(ctx, nil)
	wantDenied(t, err, "InvalidClientTokenId", "The security token included in the request is invalid")
	plainSTS := stsFrom(env, plain.Credentials)
	if _, err := plainSTS.GetCallerIdentity(ctx, nil); err != nil {
		t.Fatalf("GetCallerIdentity without MFA: %v", err)
	}
	if _, err := plainSTS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(s3Role), RoleSessionName: aws.String("plain")}); err != nil {
		t.Fatalf("AssumeRole without MFA: %v", err)
	}
	_, err = plainSTS.GetSessionToken(ctx, nil)
	wantDenied(t, err, "AccessDenied", "Cannot call GetSessionToken with session credentials")

	_, err = alice.GetSessionToken(ctx, &sts.GetSessionTokenInput{SerialNumber: aws.String(d.serial), TokenCode: aws.String("000000")})
	if d.code(0) != "000000" {
		wantDenied(t, err, "AccessDenied", invalidCode)
	}
	withMFA, err := alice.GetSessionToken(ctx, &sts.GetSessionTokenInput{SerialNumber: aws.String(d.serial), TokenCode: aws.String(d.code(0))})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := iamClient(env, withMFA.Credentials).GetUser(ctx, nil); err != nil {
		t.Fatalf("IAM with an MFA session: %v", err)
	}
	_, err = alice.GetSessionToken(ctx, &sts.GetSessionTokenInput{SerialNumber: aws.String(d.serial), TokenCode: aws.String(d.code(0))})
	wantDenied(t, err, "AccessDenied", invalidCode)
	// The MFA session passes the MFA-gated trust without a new code.
	if _, err := stsFrom(env, withMFA.Credentials).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(mfaGated), RoleSessionName: aws.String("via-gst")}); err != nil {
		t.Fatalf("AssumeRole from an MFA session: %v", err)
	}
}

func stsFrom(env *testenv.Env, c *ststypes.Credentials) *sts.Client {
	return stsClient(env, *c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken)
}
