package imds

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/ec2rolecreds"
	"github.com/aws/aws-sdk-go-v2/credentials/endpointcreds"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
)

// sdkServer serves the handler over HTTP with a real clock, IMDSv2 only.
func sdkServer(t *testing.T, mutate ...func(*Config)) (*httptest.Server, *fakeSource) {
	t.Helper()
	src := &fakeSource{clock: time.Now, life: 6 * time.Hour}
	cfg := Config{Instances: demoInstances(), Source: src.Source}
	for _, m := range mutate {
		m(&cfg)
	}
	srv := httptest.NewServer(New(cfg))
	t.Cleanup(srv.Close)
	return srv, src
}

func TestSDKIMDSClient(t *testing.T) {
	srv, src := sdkServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	client := imds.New(imds.Options{Endpoint: srv.URL})
	region, err := client.GetRegion(ctx, nil)
	if err != nil || region.Region != "ap-northeast-1" {
		t.Fatalf("GetRegion = %+v, %v", region, err)
	}
	info, err := client.GetIAMInfo(ctx, nil)
	if err != nil || info.InstanceProfileArn != "arn:aws:iam::222222222222:instance-profile/S3FullAccessFromEC2" {
		t.Fatalf("GetIAMInfo = %+v, %v", info, err)
	}
	doc, err := client.GetInstanceIdentityDocument(ctx, nil)
	if err != nil || doc.AccountID != "222222222222" || doc.InstanceID != "i-abc012" {
		t.Fatalf("GetInstanceIdentityDocument = %+v, %v", doc, err)
	}
	creds, err := ec2rolecreds.New(func(o *ec2rolecreds.Options) { o.Client = client }).Retrieve(ctx)
	if err != nil {
		t.Fatalf("ec2rolecreds: %v", err)
	}
	// ec2rolecreds caps Expires at one hour from now.
	if creds.AccessKeyID != "ASIAFAKE000000000001" || creds.SecretAccessKey != "secret-1" ||
		creds.SessionToken != "token-1" || !creds.CanExpire || creds.Expires.Before(time.Now().Add(50*time.Minute)) {
		t.Errorf("creds = %+v", creds)
	}
	if src.Calls() != 1 {
		t.Errorf("source calls = %d", src.Calls())
	}
}

// The Go SDK replaces the endpoint's path with /latest/..., so a
// per-instance path prefix is lost; the instance query survives.
func TestSDKEndpointPathPrefixDroppedQueryKept(t *testing.T) {
	srv, _ := sdkServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	prefixed := imds.New(imds.Options{Endpoint: srv.URL + InstancePrefix + "i-norole/"})
	if r, err := prefixed.GetRegion(ctx, nil); err != nil || r.Region != "ap-northeast-1" {
		t.Errorf("path prefix: region %+v, %v (expected the first instance: prefix dropped)", r, err)
	}
	queried := imds.New(imds.Options{Endpoint: srv.URL + "/?" + InstanceQuery + "=i-norole"})
	if r, err := queried.GetRegion(ctx, nil); err != nil || r.Region != "us-east-1" {
		t.Errorf("instance query: region %+v, %v", r, err)
	}
}

// clearAWSEnv isolates the SDK from the host's configuration.
func clearAWSEnv(t *testing.T) {
	t.Helper()
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(home, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(home, "credentials"))
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
		"AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE",
		"AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
		"AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
		"AWS_EC2_METADATA_DISABLED", "AWS_EC2_METADATA_SERVICE_ENDPOINT", "AWS_EC2_METADATA_V1_DISABLED"} {
		t.Setenv(k, "")
		if err := os.Unsetenv(k); err != nil {
			t.Fatal(err)
		}
	}
}

func TestSDKDefaultConfigFromEnv(t *testing.T) {
	srv, _ := sdkServer(t)
	clearAWSEnv(t)
	t.Setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", srv.URL+"/")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cfg, err := config.LoadDefaultConfig(ctx, config.WithEC2IMDSRegion())
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Region != "ap-northeast-1" {
		t.Errorf("region = %q", cfg.Region)
	}
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil || creds.AccessKeyID != "ASIAFAKE000000000001" || creds.Source != ec2rolecreds.ProviderName {
		t.Errorf("creds = %+v, %v", creds, err)
	}
}

func TestSDKContainerCredentials(t *testing.T) {
	srv, _ := sdkServer(t, func(c *Config) { c.ContainerToken = "container-secret" })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	url := srv.URL + ContainerPrefix + "i-abc012"
	creds, err := endpointcreds.New(url, func(o *endpointcreds.Options) { o.AuthorizationToken = "container-secret" }).Retrieve(ctx)
	if err != nil || creds.AccessKeyID != "ASIAFAKE000000000001" || creds.AccountID != "222222222222" || !creds.CanExpire {
		t.Fatalf("creds = %+v, %v", creds, err)
	}
	if _, err := endpointcreds.New(url).Retrieve(ctx); err == nil {
		t.Error("no token: want error")
	}

	clearAWSEnv(t)
	t.Setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url)
	t.Setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "container-secret")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion("ap-northeast-1"))
	if err != nil {
		t.Fatal(err)
	}
	if creds, err := cfg.Credentials.Retrieve(ctx); err != nil || creds.SecretAccessKey != "secret-1" {
		t.Errorf("default chain creds = %+v, %v", creds, err)
	}
}
