package cli

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/sekisho/sekisho/internal/app"
	"github.com/sekisho/sekisho/internal/store/sqlite"
	"github.com/sekisho/sekisho/internal/totp"
	"github.com/sekisho/sekisho/internal/world"
)

// mfaCodeWorld gives the demo's alice a virtual MFA device with a known seed.
const mfaCodeWorld = `
accounts:
  - id: "222222222222"
    users:
      - name: alice
        mfa_devices:
          - name: alice-phone
            seed: JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP
`

const aliceDevice = "arn:aws:iam::222222222222:mfa/alice-phone"

// TestMFACodeCommand: `sekisho mfa code` reads the world-declared device
// from the data directory and prints a code that GetSessionToken accepts
// (once) from a server on that directory.
func TestMFACodeCommand(t *testing.T) {
	isolateAWSEnv(t)
	ctx := context.Background()
	dir := t.TempDir()
	w, err := world.Parse([]byte(mfaCodeWorld))
	if err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(filepath.Join(dir, "sekisho.db"))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []*world.World{world.Demo(), w} {
		if err := world.Load(ctx, st, w); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()

	key, _ := totp.DecodeSeed("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
	before := totp.Code(key, time.Now())
	var out, errOut bytes.Buffer
	root := NewRoot(&out, &errOut)
	root.SetArgs([]string{"mfa", "code", aliceDevice, "--data-dir", dir})
	if err := root.ExecuteContext(ctx); err != nil {
		t.Fatalf("mfa code: %v (%s)", err, errOut.String())
	}
	code := strings.TrimSpace(out.String())
	if after := totp.Code(key, time.Now()); !regexp.MustCompile(`^\d{6}$`).MatchString(code) || (code != before && code != after) {
		t.Fatalf("mfa code printed %q, want %s or %s", code, before, after)
	}

	st, err = sqlite.Open(filepath.Join(dir, "sekisho.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	a, err := app.New(ctx, app.Config{Store: st, BlobDir: t.TempDir(), Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	srv := httptest.NewServer(a.Handler)
	t.Cleanup(srv.Close)
	alice := sts.New(sts.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Retryer: aws.NopRetryer{},
		Credentials: credentials.NewStaticCredentialsProvider("AKIA2222ALICE0000001", "DemoSecretForAliceInAccountB000000000001", "")})
	in := &sts.GetSessionTokenInput{SerialNumber: aws.String(aliceDevice), TokenCode: aws.String(code)}
	if _, err := alice.GetSessionToken(ctx, in); err != nil {
		t.Fatalf("GetSessionToken with the printed code: %v", err)
	}
	if _, err := alice.GetSessionToken(ctx, in); err == nil || !strings.Contains(err.Error(), "invalid MFA one time pass code") {
		t.Fatalf("the printed code reused: %v", err)
	}

	root = NewRoot(&out, &errOut)
	root.SetArgs([]string{"mfa", "code", "arn:aws:iam::222222222222:mfa/nope", "--data-dir", dir})
	if err := root.ExecuteContext(ctx); err == nil {
		t.Fatal("mfa code for an unknown device succeeded")
	}
}
