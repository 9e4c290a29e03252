package imds

import (
	"context"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"testing"
	"time"
)

const awsCLI = "/usr/bin/aws"

// cliServer serves two roled instances, IMDSv2 only, on a real clock.
func cliServer(t *testing.T) *httptest.Server {
	t.Helper()
	if _, err := os.Stat(awsCLI); err != nil {
		t.Skipf("%s not installed", awsCLI)
	}
	src := &fakeSource{clock: time.Now, life: 6 * time.Hour}
	insts := append(demoInstances(), Instance{ID: "i-def345", Account: "333333333333",
		InstanceProfile: "Other", Region: "eu-west-1"})
	srv := httptest.NewServer(New(Config{Instances: insts, Source: src.Source}))
	t.Cleanup(srv.Close)
	return srv
}

// configureList runs `aws configure list` with only the given env.
func configureList(t *testing.T, env ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	home := t.TempDir()
	cmd := exec.CommandContext(ctx, awsCLI, "configure", "list")
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "AWS_PAGER=",
		"AWS_CONFIG_FILE=" + home + "/config", "AWS_SHARED_CREDENTIALS_FILE=" + home + "/credentials"}, env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("aws configure list: %v\n%s", err, out)
	}
	return string(out)
}

// wantRow checks a `configure list` row's value and type.
func wantRow(t *testing.T, out, name, value, typ string) {
	t.Helper()
	re := regexp.MustCompile(`(?m)^\s*` + name + `\s+` + regexp.QuoteMeta(value) + `\s+` + typ + `\s`)
	if !re.MatchString(out) {
		t.Errorf("no %s row %q/%s in:\n%s", name, value, typ, out)
	}
}

func TestCLIReadsInstanceCredentials(t *testing.T) {
	srv := cliServer(t)
	out := configureList(t, "AWS_EC2_METADATA_SERVICE_ENDPOINT="+srv.URL+"/")
	wantRow(t, out, "access_key", "****************0001", "iam-role")
	wantRow(t, out, "secret_key", "****************et-1", "iam-role")
	wantRow(t, out, "region", "ap-northeast-1", "imds")
}

// botocore appends "latest/..." to the endpoint string, so a path prefix
// (with its trailing slash) selects the instance.
func TestCLIPerInstanceEndpoint(t *testing.T) {
	srv := cliServer(t)
	out := configureList(t, "AWS_EC2_METADATA_SERVICE_ENDPOINT="+srv.URL+InstancePrefix+"i-def345/")
	wantRow(t, out, "access_key", "****************0001", "iam-role")
	wantRow(t, out, "region", "eu-west-1", "imds")
	out = configureList(t, "AWS_EC2_METADATA_SERVICE_ENDPOINT="+srv.URL+InstancePrefix+"i-def345")
	wantRow(t, out, "region", "eu-west-1", "imds") // tolerated: no trailing slash
}

func TestCLIReadsContainerCredentials(t *testing.T) {
	src := &fakeSource{clock: time.Now, life: 6 * time.Hour}
	srv := httptest.NewServer(New(Config{Instances: demoInstances(), Source: src.Source, ContainerToken: "tok-123"}))
	defer srv.Close()
	if _, err := os.Stat(awsCLI); err != nil {
		t.Skipf("%s not installed", awsCLI)
	}
	out := configureList(t, "AWS_CONTAINER_CREDENTIALS_FULL_URI="+srv.URL+ContainerPrefix+"i-abc012",
		"AWS_CONTAINER_AUTHORIZATION_TOKEN=tok-123", "AWS_EC2_METADATA_DISABLED=true")
	wantRow(t, out, "access_key", "****************0001", "container-role")
}
