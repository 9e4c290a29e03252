package s3_test

// aws-sdk-go-v2 tests of the bucket configuration operations
// (config_*.go): every Put / Get / Delete round trip, their defaults,
// NoSuch... errors, validation, authorization and the CORS preflight.

import (
	"crypto/md5"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	sekishos3 "github.com/sekisho/sekisho/internal/s3"
	"github.com/sekisho/sekisho/internal/store"
	"github.com/sekisho/sekisho/internal/testenv"
)

// configEnv is a server with the SDK world.
type configEnv struct {
	*testenv.Env
	front *testenv.Env // the server the clients talk to
}

func startConfig(t *testing.T) *configEnv {
	t.Helper()
	env := startSDK(t)
	return &configEnv{Env: env, front: env}
}

func (e *configEnv) client(key, secret string) *s3.Client { return client(e.front, key, secret) }

// enableVersioning turns versioning on: through the SDK once the server
// has PutBucketVersioning, else (TODO(merge)) by writing the setting the
// configurations read.
func (e *configEnv) enableVersioning(t *testing.T, c *s3.Client, bucket string) {
	t.Helper()
	_, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(bucket),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}})
	if _, code, _ := apiError(err); code != "NotImplemented" {
		if err != nil {
			t.Fatalf("PutBucketVersioning: %v", err)
		}
		return
	}
	if err := e.Store.Update(ctx, func(tx store.Tx) error { return tx.PutBucketSetting(bucket, "versioning", "Enabled") }); err != nil {
		t.Fatal(err)
	}
}

const cfgBucket = "sdk-a-data" // account A's

var bucketIn = aws.String(cfgBucket)

func TestConfigEncryption(t *testing.T) {
	env := startConfig(t)
	a := env.client(rootAKey, rootASecret)

	// Every bucket has SSE-S3 by default (since 2023).
	wantEncryption := func(what string, alg types.ServerSideEncryption, key string, bucketKey bool) {
		t.Helper()
		out := must[*s3.GetBucketEncryptionOutput](t, what)(a.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: bucketIn}))
		rules := out.ServerSideEncryptionConfiguration.Rules
		if len(rules) != 1 || rules[0].ApplyServerSideEncryptionByDefault == nil {
			t.Fatalf("%s: rules %+v", what, rules)
		}
		d := rules[0].ApplyServerSideEncryptionByDefault
		if d.SSEAlgorithm != alg || aws.ToString(d.KMSMasterKeyID) != key || aws.ToBool(rules[0].BucketKeyEnabled) != bucketKey ||
			rules[0].BucketKeyEnabled == nil {
			t.Fatalf("%s: %s %q bucket key %v, want %s %q %v", what, d.SSEAlgorithm, aws.ToString(d.KMSMasterKeyID),
				rules[0].BucketKeyEnabled, alg, key, bucketKey)
		}
	}
	wantEncryption("default", types.ServerSideEncryptionAes256, "", false)

	put := func(alg types.ServerSideEncryption, key string, bucketKey bool) error {
		d := &types.ServerSideEncryptionByDefault{SSEAlgorithm: alg}
		if key != "" {
			d.KMSMasterKeyID = aws.String(key)
		}
		_, err := a.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: bucketIn,
			ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{Rules: []types.ServerSideEncryptionRule{
				{ApplyServerSideEncryptionByDefault: d, BucketKeyEnabled: aws.Bool(bucketKey)}}}})
		return err
	}
	const kmsKey = "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	if err := put(types.ServerSideEncryptionAwsKms, kmsKey, true); err != nil {
		t.Fatalf("PutBucketEncryption kms: %v", err)
	}
	wantEncryption("after Put kms", types.ServerSideEncryptionAwsKms, kmsKey, true)

	// Refused, and the stored configuration stays.
	wantError(t, "AES256 with a KMS key", put(types.ServerSideEncryptionAes256, kmsKey, false), 400, "InvalidArgument")
	wantError(t, "unknown algorithm", put("AES512", "", false), 400, "MalformedXML")
	wantEncryption("after refused Puts", types.ServerSideEncryptionAwsKms, kmsKey, true)

	must[*s3.DeleteBucketEncryptionOutput](t, "DeleteBucketEncryption")(a.DeleteBucketEncryption(ctx, &s3.DeleteBucketEncryptionInput{Bucket: bucketIn}))
	wantEncryption("after Delete", types.ServerSideEncryptionAes256, "", false)

	// Authorization and a missing bucket.
	nobody := env.client(nobodyKey, nobodySecret)
	_, err := nobody.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: bucketIn})
	wantError(t, "GetBucketEncryption without s3:GetEncryptionConfiguration", err, 403, "AccessDenied")
	wantError(t, "PutBucketEncryption by B", func() error {
		_, err := env.client(rootBKey, rootBSecret).PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: bucketIn,
			ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{Rules: []types.ServerSideEncryptionRule{
				{ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryptionAes256}}}}})
		return err
	}(), 403, "AccessDenied")
	_, err = a.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String("sdk-no-such-bucket")})
	wantError(t, "GetBucketEncryption of a missing bucket", err, 404, "NoSuchBucket")
}

func TestConfigTagging(t *testing.T) {
	env := startConfig(t)
	a := env.client(rootAKey, rootASecret)
	_, err := a.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: bucketIn})
	wantError(t, "GetBucketTagging before any", err, 404, "NoSuchTagSet")

	put := func(tags ...types.Tag) error {
		_, err := a.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: bucketIn, Tagging: &types.Tagging{TagSet: tags}})
		return err
	}
	tag := func(k, v string) types.Tag { return types.Tag{Key: aws.String(k), Value: aws.String(v)} }
	if err := put(tag("team", "infra"), tag("cost-center", "42")); err != nil {
		t.Fatalf("PutBucketTagging: %v", err)
	}
	out := must[*s3.GetBucketTaggingOutput](t, "GetBucketTagging")(a.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: bucketIn}))
	if got := fmt.Sprint(tagPairs(out.TagSet)); got != "[team=infra cost-center=42]" {
		t.Errorf("tags %s", got)
	}

	var many []types.Tag
	for i := range 51 {
		many = append(many, tag(fmt.Sprintf("k%d", i), "v"))
	}
	wantError(t, "51 tags", put(many...), 400, "BadRequest")
	if err := put(many[:50]...); err != nil {
		t.Errorf("50 tags: %v", err)
	}
	wantError(t, "key of 129", put(tag(strings.Repeat("k", 129), "v")), 400, "InvalidTag")
	wantError(t, "value of 257", put(tag("k", strings.Repeat("v", 257))), 400, "InvalidTag")
	wantError(t, "duplicate keys", put(tag("k", "1"), tag("k", "2")), 400, "InvalidTag")
	wantError(t, "aws: prefix", put(tag("aws:cloudformation:stack-name", "x")), 400, "InvalidTag")
	if err := put(tag(strings.Repeat("k", 128), strings.Repeat("v", 256))); err != nil {
		t.Errorf("key of 128, value of 256: %v", err)
	}

	must[*s3.DeleteBucketTaggingOutput](t, "DeleteBucketTagging")(a.DeleteBucketTagging(ctx, &s3.DeleteBucketTaggingInput{Bucket: bucketIn}))
	_, err = a.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: bucketIn})
	wantError(t, "GetBucketTagging after Delete", err, 404, "NoSuchTagSet")

	_, err = env.client(nobodyKey, nobodySecret).PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: bucketIn,
		Tagging: &types.Tagging{TagSet: []types.Tag{tag("a", "b")}}})
	wantError(t, "PutBucketTagging without s3:PutBucketTagging", err, 403, "AccessDenied")
}

func tagPairs(tags []types.Tag) []string {
	var out []string
	for _, t := range tags {
		out = append(out, aws.ToString(t.Key)+"="+aws.ToString(t.Value))
	}
	return out
}

func TestConfigCors(t *testing.T) {
	env := startConfig(t)
	a := env.client(rootAKey, rootASecret)
	preflight := func(origin, method, headers string) rawResponse {
		h := map[string]string{"Origin": origin, "Access-Control-Request-Method": method}
		if headers != "" {
			h["Access-Control-Request-Headers"] = headers
		}
		return rawRequest{Method: http.MethodOptions, Target: "/" + cfgBucket + "/some/key", Header: h}.do(t, env.front)
	}
	if r := preflight("https://app.example", "GET", ""); r.Status != 403 || r.Code != "AccessForbidden" ||
		!strings.Contains(r.Message, "CORS is not enabled for this bucket") {
		t.Errorf("preflight without CORS: %d %s %s", r.Status, r.Code, r.Message)
	}
	_, err := a.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: bucketIn})
	wantError(t, "GetBucketCors before any", err, 404, "NoSuchCORSConfiguration")

	rules := []types.CORSRule{
		{ID: aws.String("app"), AllowedOrigins: []string{"https://*.example"}, AllowedMethods: []string{"GET", "PUT"},
			AllowedHeaders: []string{"x-amz-*", "content-type"}, ExposeHeaders: []string{"ETag"}, MaxAgeSeconds: aws.Int32(600)},
		{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"HEAD"}},
	}
	put := func(rules ...types.CORSRule) error {
		_, err := a.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: bucketIn, CORSConfiguration: &types.CORSConfiguration{CORSRules: rules}})
		return err
	}
	if err := put(rules...); err != nil {
		t.Fatalf("PutBucketCors: %v", err)
	}
	out := must[*s3.GetBucketCorsOutput](t, "GetBucketCors")(a.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: bucketIn}))
	if len(out.CORSRules) != 2 || aws.ToString(out.CORSRules[0].ID) != "app" || aws.ToInt32(out.CORSRules[0].MaxAgeSeconds) != 600 ||
		fmt.Sprint(out.CORSRules[0].AllowedHeaders) != "[x-amz-* content-type]" || fmt.Sprint(out.CORSRules[1].AllowedMethods) != "[HEAD]" {
		t.Errorf("GetBucketCors: %+v", out.CORSRules)
	}

	wantError(t, "PATCH", put(types.CORSRule{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"PATCH"}}), 400, "InvalidRequest")
	// What the SDK refuses to send, by hand.
	for what, body := range map[string]string{
		"no origin":    `<CORSConfiguration><CORSRule><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>`,
		"wrong root":   `<CORSRules><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule></CORSRules>`,
		"not XML":      `{"CORSRules": []}`,
		"no rules":     `<CORSConfiguration></CORSConfiguration>`,
		"negative age": `<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod><MaxAgeSeconds>-1</MaxAgeSeconds></CORSRule></CORSConfiguration>`,
	} {
		r := rawRequest{Method: http.MethodPut, Target: "/" + cfgBucket + "?cors", Body: []byte(body), Key: rootAKey, Secret: rootASecret,
			Header: map[string]string{"Content-MD5": contentMD5(body)}}.do(t, env.front)
		if r.Status != 400 || r.Code != "MalformedXML" {
			t.Errorf("PutBucketCors %s: %d %s", what, r.Status, r.Code)
		}
	}
	wantError(t, "two wildcards", put(types.CORSRule{AllowedOrigins: []string{"https://*.*.example"}, AllowedMethods: []string{"GET"}}), 400, "InvalidRequest")

	// The preflight is answered from the rules, without a signature.
	r := preflight("https://app.example", "PUT", "Content-Type, X-Amz-Date")
	if r.Status != 200 || r.Header.Get("Access-Control-Allow-Origin") != "https://app.example" ||
		r.Header.Get("Access-Control-Allow-Methods") != "GET, PUT" || r.Header.Get("Access-Control-Max-Age") != "600" ||
		r.Header.Get("Access-Control-Expose-Headers") != "ETag" || r.Header.Get("Access-Control-Allow-Headers") != "content-type, x-amz-date" {
		t.Errorf("matching preflight: %d %v %s", r.Status, r.Header, r.Body)
	}
	if r := preflight("https://other.site", "HEAD", ""); r.Status != 200 || r.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("preflight matching the wildcard rule: %d %v", r.Status, r.Header)
	}
	for _, c := range []struct{ origin, method, headers string }{
		{"https://other.site", "GET", ""},                 // origin not allowed for GET
		{"https://app.example", "DELETE", ""},             // method not allowed
		{"https://app.example", "GET", "authorization-x"}, // header not allowed
	} {
		r := preflight(c.origin, c.method, c.headers)
		if r.Status != 403 || r.Code != "AccessForbidden" || !strings.HasPrefix(r.Message, "CORSResponse: This CORS request is not allowed.") {
			t.Errorf("preflight %v: %d %s %s", c, r.Status, r.Code, r.Message)
		}
	}
	if r := preflight("", "GET", ""); r.Status != 400 {
		t.Errorf("preflight without Origin: %d", r.Status)
	}

	must[*s3.DeleteBucketCorsOutput](t, "DeleteBucketCors")(a.DeleteBucketCors(ctx, &s3.DeleteBucketCorsInput{Bucket: bucketIn}))
	_, err = a.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: bucketIn})
	wantError(t, "GetBucketCors after Delete", err, 404, "NoSuchCORSConfiguration")
}

func TestConfigLifecycle(t *testing.T) {
	env := startConfig(t)
	a := env.client(rootAKey, rootASecret)
	_, err := a.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: bucketIn})
	wantError(t, "GetBucketLifecycleConfiguration before any", err, 404, "NoSuchLifecycleConfiguration")

	put := func(rules ...types.LifecycleRule) error {
		_, err := a.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: bucketIn,
			LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: rules}})
		return err
	}
	midnight := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	good := []types.LifecycleRule{
		{ID: aws.String("logs"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{Prefix: aws.String("logs/")},
			Expiration:                     &types.LifecycleExpiration{Days: aws.Int32(30)},
			NoncurrentVersionExpiration:    &types.NoncurrentVersionExpiration{NoncurrentDays: aws.Int32(7)},
			AbortIncompleteMultipartUpload: &types.AbortIncompleteMultipartUpload{DaysAfterInitiation: aws.Int32(2)}},
		{ID: aws.String("tmp"), Status: types.ExpirationStatusDisabled, Filter: &types.LifecycleRuleFilter{Tag: &types.Tag{Key: aws.String("tmp"), Value: aws.String("yes")}},
			Expiration: &types.LifecycleExpiration{Date: &midnight}},
	}
	if err := put(good...); err != nil {
		t.Fatalf("PutBucketLifecycleConfiguration: %v", err)
	}
	out := must[*s3.GetBucketLifecycleConfigurationOutput](t, "GetBucketLifecycleConfiguration")(
		a.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: bucketIn}))
	if len(out.Rules) != 2 {
		t.Fatalf("rules: %+v", out.Rules)
	}
	r0, r1 := out.Rules[0], out.Rules[1]
	if aws.ToString(r0.ID) != "logs" || r0.Status != types.ExpirationStatusEnabled || aws.ToString(r0.Filter.Prefix) != "logs/" ||
		aws.ToInt32(r0.Expiration.Days) != 30 || aws.ToInt32(r0.NoncurrentVersionExpiration.NoncurrentDays) != 7 ||
		aws.ToInt32(r0.AbortIncompleteMultipartUpload.DaysAfterInitiation) != 2 {
		t.Errorf("rule 0: %+v", r0)
	}
	if aws.ToString(r1.ID) != "tmp" || r1.Filter.Tag == nil || aws.ToString(r1.Filter.Tag.Key) != "tmp" || r1.Expiration.Date == nil || !r1.Expiration.Date.Equal(midnight) {
		t.Errorf("rule 1: %+v", r1)
	}
	if out.TransitionDefaultMinimumObjectSize != types.TransitionDefaultMinimumObjectSizeAllStorageClasses128k {
		t.Errorf("TransitionDefaultMinimumObjectSize %q", out.TransitionDefaultMinimumObjectSize)
	}

	rule := func(edit func(r *types.LifecycleRule)) types.LifecycleRule {
		r := types.LifecycleRule{ID: aws.String("r"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{Prefix: aws.String("")},
			Expiration: &types.LifecycleExpiration{Days: aws.Int32(1)}}
		edit(&r)
		return r
	}
	noon := midnight.Add(12 * time.Hour)
	for _, c := range []struct {
		what   string
		rule   types.LifecycleRule
		status int
		code   string
	}{
		{"Days 0", rule(func(r *types.LifecycleRule) { r.Expiration.Days = aws.Int32(0) }), 400, "InvalidArgument"},
		{"Date at noon", rule(func(r *types.LifecycleRule) { r.Expiration = &types.LifecycleExpiration{Date: &noon} }), 400, "InvalidArgument"},
		{"ID of 256", rule(func(r *types.LifecycleRule) { r.ID = aws.String(strings.Repeat("i", 256)) }), 400, "InvalidArgument"},
		{"Status Bogus", rule(func(r *types.LifecycleRule) { r.Status = "Bogus" }), 400, "MalformedXML"},
		{"no action", rule(func(r *types.LifecycleRule) { r.Expiration = nil }), 400, "InvalidRequest"},
		{"NoncurrentDays 0", rule(func(r *types.LifecycleRule) {
			r.NoncurrentVersionExpiration = &types.NoncurrentVersionExpiration{NoncurrentDays: aws.Int32(0)}
		}), 400, "InvalidArgument"},
		{"DaysAfterInitiation 0", rule(func(r *types.LifecycleRule) {
			r.AbortIncompleteMultipartUpload = &types.AbortIncompleteMultipartUpload{DaysAfterInitiation: aws.Int32(0)}
		}), 400, "InvalidArgument"},
		{"abort with tags", rule(func(r *types.LifecycleRule) {
			r.Filter = &types.LifecycleRuleFilter{Tag: &types.Tag{Key: aws.String("k"), Value: aws.String("v")}}
			r.AbortIncompleteMultipartUpload = &types.AbortIncompleteMultipartUpload{DaysAfterInitiation: aws.Int32(1)}
		}), 400, "InvalidRequest"},
		{"Days and Date", rule(func(r *types.LifecycleRule) { r.Expiration.Date = &midnight }), 400, "MalformedXML"},
		{"Prefix and Filter", rule(func(r *types.LifecycleRule) { r.Prefix = aws.String("x/") }), 400, "MalformedXML"},
	} {
		wantError(t, c.what, put(c.rule), c.status, c.code)
	}
	wantError(t, "duplicate IDs", put(rule(func(*types.LifecycleRule) {}), rule(func(*types.LifecycleRule) {})), 400, "InvalidArgument")

	// The refused Puts left the configuration alone.
	out = must[*s3.GetBucketLifecycleConfigurationOutput](t, "GetBucketLifecycleConfiguration again")(
		a.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: bucketIn}))
	if len(out.Rules) != 2 {
		t.Errorf("after refused Puts: %d rules", len(out.Rules))
	}
	must[*s3.DeleteBucketLifecycleOutput](t, "DeleteBucketLifecycle")(a.DeleteBucketLifecycle(ctx, &s3.DeleteBucketLifecycleInput{Bucket: bucketIn}))
	_, err = a.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: bucketIn})
	wantError(t, "GetBucketLifecycleConfiguration after Delete", err, 404, "NoSuchLifecycleConfiguration")
}

func TestConfigWebsite(t *testing.T) {
	env := startConfig(t)
	a := env.client(rootAKey, rootASecret)
	_, err := a.GetBucketWebsite(ctx, &s3.GetBucketWebsiteInput{Bucket: bucketIn})
	wantError(t, "GetBucketWebsite before any", err, 404, "NoSuchWebsiteConfiguration")
	put := func(cfg *types.WebsiteConfiguration) error {
		_, err := a.PutBucketWebsite(ctx, &s3.PutBucketWebsiteInput{Bucket: bucketIn, WebsiteConfiguration: cfg})
		return err
	}
	if err := put(&types.WebsiteConfiguration{IndexDocument: &types.IndexDocument{Suffix: aws.String("index.html")},
		ErrorDocument: &types.ErrorDocument{Key: aws.String("error.html")}}); err != nil {
		t.Fatalf("PutBucketWebsite: %v", err)
	}
	out := must[*s3.GetBucketWebsiteOutput](t, "GetBucketWebsite")(a.GetBucketWebsite(ctx, &s3.GetBucketWebsiteInput{Bucket: bucketIn}))
	if aws.ToString(out.IndexDocument.Suffix) != "index.html" || aws.ToString(out.ErrorDocument.Key) != "error.html" {
		t.Errorf("GetBucketWebsite: %+v %+v", out.IndexDocument, out.ErrorDocument)
	}
	wantError(t, "no index document", put(&types.WebsiteConfiguration{ErrorDocument: &types.ErrorDocument{Key: aws.String("e.html")}}), 400, "InvalidArgument")
	wantError(t, "suffix with a slash", put(&types.WebsiteConfiguration{IndexDocument: &types.IndexDocument{Suffix: aws.String("a/index.html")}}), 400, "InvalidArgument")
	if err := put(&types.WebsiteConfiguration{RedirectAllRequestsTo: &types.RedirectAllRequestsTo{HostName: aws.String("example.com"), Protocol: types.ProtocolHttps}}); err != nil {
		t.Errorf("redirect all: %v", err)
	}
	must[*s3.DeleteBucketWebsiteOutput](t, "DeleteBucketWebsite")(a.DeleteBucketWebsite(ctx, &s3.DeleteBucketWebsiteInput{Bucket: bucketIn}))
	_, err = a.GetBucketWebsite(ctx, &s3.GetBucketWebsiteInput{Bucket: bucketIn})
	wantError(t, "GetBucketWebsite after Delete", err, 404, "NoSuchWebsiteConfiguration")
}

// TestConfigDefaults: logging, request payment, acceleration and
// notifications answer S3's defaults, then what was put.
func TestConfigDefaults(t *testing.T) {
	env := startConfig(t)
	a := env.client(rootAKey, rootASecret)

	logging := must[*s3.GetBucketLoggingOutput](t, "GetBucketLogging")(a.GetBucketLogging(ctx, &s3.GetBucketLoggingInput{Bucket: bucketIn}))
	if logging.LoggingEnabled != nil {
		t.Errorf("default logging: %+v", logging.LoggingEnabled)
	}
	payment := must[*s3.GetBucketRequestPaymentOutput](t, "GetBucketRequestPayment")(a.GetBucketRequestPayment(ctx, &s3.GetBucketRequestPaymentInput{Bucket: bucketIn}))
	if payment.Payer != types.PayerBucketOwner {
		t.Errorf("default payer %q", payment.Payer)
	}
	accel := must[*s3.GetBucketAccelerateConfigurationOutput](t, "GetBucketAccelerateConfiguration")(
		a.GetBucketAccelerateConfiguration(ctx, &s3.GetBucketAccelerateConfigurationInput{Bucket: bucketIn}))
	if accel.Status != "" {
		t.Errorf("default acceleration %q", accel.Status)
	}
	notif := must[*s3.GetBucketNotificationConfigurationOutput](t, "GetBucketNotificationConfiguration")(
		a.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: bucketIn}))
	if len(notif.QueueConfigurations)+len(notif.TopicConfigurations)+len(notif.LambdaFunctionConfigurations) != 0 || notif.EventBridgeConfiguration != nil {
		t.Errorf("default notifications: %+v", notif)
	}

	// Logging: into another bucket of the account; not into a missing one
	// or another account's.
	putLogging := func(target string) error {
		_, err := a.PutBucketLogging(ctx, &s3.PutBucketLoggingInput{Bucket: bucketIn, BucketLoggingStatus: &types.BucketLoggingStatus{
			LoggingEnabled: &types.LoggingEnabled{TargetBucket: aws.String(target), TargetPrefix: aws.String("logs/")}}})
		return err
	}
	if err := putLogging("sdk-a-shared"); err != nil {
		t.Fatalf("PutBucketLogging: %v", err)
	}
	logging = must[*s3.GetBucketLoggingOutput](t, "GetBucketLogging after Put")(a.GetBucketLogging(ctx, &s3.GetBucketLoggingInput{Bucket: bucketIn}))
	if logging.LoggingEnabled == nil || aws.ToString(logging.LoggingEnabled.TargetBucket) != "sdk-a-shared" || aws.ToString(logging.LoggingEnabled.TargetPrefix) != "logs/" {
		t.Errorf("logging after Put: %+v", logging.LoggingEnabled)
	}
	wantError(t, "logging into a missing bucket", putLogging("sdk-no-such-bucket"), 400, "InvalidTargetBucketForLogging")
	wantError(t, "logging into B's bucket", putLogging("sdk-b-dest"), 400, "InvalidTargetBucketForLogging")
	must[*s3.PutBucketLoggingOutput](t, "PutBucketLogging off")(a.PutBucketLogging(ctx, &s3.PutBucketLoggingInput{Bucket: bucketIn, BucketLoggingStatus: &types.BucketLoggingStatus{}}))
	logging = must[*s3.GetBucketLoggingOutput](t, "GetBucketLogging after off")(a.GetBucketLogging(ctx, &s3.GetBucketLoggingInput{Bucket: bucketIn}))
	if logging.LoggingEnabled != nil {
		t.Errorf("logging after off: %+v", logging.LoggingEnabled)
	}

	must[*s3.PutBucketRequestPaymentOutput](t, "PutBucketRequestPayment")(a.PutBucketRequestPayment(ctx, &s3.PutBucketRequestPaymentInput{Bucket: bucketIn,
		RequestPaymentConfiguration: &types.RequestPaymentConfiguration{Payer: types.PayerRequester}}))
	payment = must[*s3.GetBucketRequestPaymentOutput](t, "GetBucketRequestPayment after Put")(a.GetBucketRequestPayment(ctx, &s3.GetBucketRequestPaymentInput{Bucket: bucketIn}))
	if payment.Payer != types.PayerRequester {
		t.Errorf("payer after Put %q", payment.Payer)
	}
	_, err := a.PutBucketRequestPayment(ctx, &s3.PutBucketRequestPaymentInput{Bucket: bucketIn, RequestPaymentConfiguration: &types.RequestPaymentConfiguration{Payer: "Nobody"}})
	wantError(t, "payer Nobody", err, 400, "MalformedXML")

	must[*s3.PutBucketAccelerateConfigurationOutput](t, "PutBucketAccelerateConfiguration")(a.PutBucketAccelerateConfiguration(ctx, &s3.PutBucketAccelerateConfigurationInput{
		Bucket: bucketIn, AccelerateConfiguration: &types.AccelerateConfiguration{Status: types.BucketAccelerateStatusEnabled}}))
	accel = must[*s3.GetBucketAccelerateConfigurationOutput](t, "GetBucketAccelerateConfiguration after Put")(
		a.GetBucketAccelerateConfiguration(ctx, &s3.GetBucketAccelerateConfigurationInput{Bucket: bucketIn}))
	if accel.Status != types.BucketAccelerateStatusEnabled {
		t.Errorf("acceleration after Put %q", accel.Status)
	}

	queue := "arn:aws:sqs:us-east-1:111111111111:uploads"
	must[*s3.PutBucketNotificationConfigurationOutput](t, "PutBucketNotificationConfiguration")(a.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{
		Bucket: bucketIn, NotificationConfiguration: &types.NotificationConfiguration{QueueConfigurations: []types.QueueConfiguration{
			{Id: aws.String("uploads"), QueueArn: aws.String(queue), Events: []types.Event{"s3:ObjectCreated:*"}}}}}))
	notif = must[*s3.GetBucketNotificationConfigurationOutput](t, "GetBucketNotificationConfiguration after Put")(
		a.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: bucketIn}))
	if len(notif.QueueConfigurations) != 1 || aws.ToString(notif.QueueConfigurations[0].QueueArn) != queue ||
		fmt.Sprint(notif.QueueConfigurations[0].Events) != "[s3:ObjectCreated:*]" {
		t.Errorf("notifications after Put: %+v", notif.QueueConfigurations)
	}
}

func TestConfigObjectLockAndReplication(t *testing.T) {
	env := startConfig(t)
	a := env.client(rootAKey, rootASecret)
	_, err := a.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: bucketIn})
	wantError(t, "GetObjectLockConfiguration before any", err, 404, "ObjectLockConfigurationNotFoundError")
	_, err = a.GetBucketReplication(ctx, &s3.GetBucketReplicationInput{Bucket: bucketIn})
	wantError(t, "GetBucketReplication before any", err, 404, "ReplicationConfigurationNotFoundError")

	putLock := func(days int32) error {
		_, err := a.PutObjectLockConfiguration(ctx, &s3.PutObjectLockConfigurationInput{Bucket: bucketIn,
			ObjectLockConfiguration: &types.ObjectLockConfiguration{ObjectLockEnabled: types.ObjectLockEnabledEnabled,
				Rule: &types.ObjectLockRule{DefaultRetention: &types.DefaultRetention{Mode: types.ObjectLockRetentionModeGovernance, Days: aws.Int32(days)}}}})
		return err
	}
	putReplication := func() error {
		_, err := a.PutBucketReplication(ctx, &s3.PutBucketReplicationInput{Bucket: bucketIn, ReplicationConfiguration: &types.ReplicationConfiguration{
			Role: aws.String("arn:aws:iam::111111111111:role/replicator"),
			Rules: []types.ReplicationRule{{ID: aws.String("all"), Status: types.ReplicationRuleStatusEnabled, Priority: aws.Int32(1),
				Filter:                  &types.ReplicationRuleFilter{Prefix: aws.String("")},
				DeleteMarkerReplication: &types.DeleteMarkerReplication{Status: types.DeleteMarkerReplicationStatusDisabled},
				Destination:             &types.Destination{Bucket: aws.String("arn:aws:s3:::sdk-a-shared")}}}}})
		return err
	}
	wantError(t, "object lock without versioning", putLock(1), 409, "InvalidBucketState")
	wantError(t, "replication without versioning", putReplication(), 400, "InvalidRequest")

	env.enableVersioning(t, a, cfgBucket)
	wantError(t, "retention of 0 days", putLock(0), 400, "InvalidArgument")
	if err := putLock(3); err != nil {
		t.Fatalf("PutObjectLockConfiguration: %v", err)
	}
	lock := must[*s3.GetObjectLockConfigurationOutput](t, "GetObjectLockConfiguration")(a.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: bucketIn}))
	if c := lock.ObjectLockConfiguration; c == nil || c.ObjectLockEnabled != types.ObjectLockEnabledEnabled || c.Rule == nil ||
		c.Rule.DefaultRetention.Mode != types.ObjectLockRetentionModeGovernance || aws.ToInt32(c.Rule.DefaultRetention.Days) != 3 {
		t.Errorf("GetObjectLockConfiguration: %+v", lock.ObjectLockConfiguration)
	}

	if err := putReplication(); err != nil {
		t.Fatalf("PutBucketReplication: %v", err)
	}
	repl := must[*s3.GetBucketReplicationOutput](t, "GetBucketReplication")(a.GetBucketReplication(ctx, &s3.GetBucketReplicationInput{Bucket: bucketIn}))
	if c := repl.ReplicationConfiguration; c == nil || aws.ToString(c.Role) != "arn:aws:iam::111111111111:role/replicator" || len(c.Rules) != 1 ||
		aws.ToString(c.Rules[0].Destination.Bucket) != "arn:aws:s3:::sdk-a-shared" || aws.ToInt32(c.Rules[0].Priority) != 1 {
		t.Errorf("GetBucketReplication: %+v", repl.ReplicationConfiguration)
	}
	must[*s3.DeleteBucketReplicationOutput](t, "DeleteBucketReplication")(a.DeleteBucketReplication(ctx, &s3.DeleteBucketReplicationInput{Bucket: bucketIn}))
	_, err = a.GetBucketReplication(ctx, &s3.GetBucketReplicationInput{Bucket: bucketIn})
	wantError(t, "GetBucketReplication after Delete", err, 404, "ReplicationConfigurationNotFoundError")
}

func TestConfigListsAreEmpty(t *testing.T) {
	env := startConfig(t)
	a := env.client(rootAKey, rootASecret)
	analytics := must[*s3.ListBucketAnalyticsConfigurationsOutput](t, "ListBucketAnalyticsConfigurations")(
		a.ListBucketAnalyticsConfigurations(ctx, &s3.ListBucketAnalyticsConfigurationsInput{Bucket: bucketIn}))
	metrics := must[*s3.ListBucketMetricsConfigurationsOutput](t, "ListBucketMetricsConfigurations")(
		a.ListBucketMetricsConfigurations(ctx, &s3.ListBucketMetricsConfigurationsInput{Bucket: bucketIn}))
	inventory := must[*s3.ListBucketInventoryConfigurationsOutput](t, "ListBucketInventoryConfigurations")(
		a.ListBucketInventoryConfigurations(ctx, &s3.ListBucketInventoryConfigurationsInput{Bucket: bucketIn}))
	tiering := must[*s3.ListBucketIntelligentTieringConfigurationsOutput](t, "ListBucketIntelligentTieringConfigurations")(
		a.ListBucketIntelligentTieringConfigurations(ctx, &s3.ListBucketIntelligentTieringConfigurationsInput{Bucket: bucketIn}))
	if len(analytics.AnalyticsConfigurationList)+len(metrics.MetricsConfigurationList)+len(inventory.InventoryConfigurationList)+
		len(tiering.IntelligentTieringConfigurationList) != 0 || aws.ToBool(analytics.IsTruncated) || aws.ToBool(metrics.IsTruncated) {
		t.Errorf("lists not empty: %+v %+v %+v %+v", analytics, metrics, inventory, tiering)
	}
	_, err := env.client(nobodyKey, nobodySecret).ListBucketMetricsConfigurations(ctx, &s3.ListBucketMetricsConfigurationsInput{Bucket: bucketIn})
	wantError(t, "ListBucketMetricsConfigurations without s3:GetMetricsConfiguration", err, 403, "AccessDenied")
}

// TestConfigConcurrentPuts: Put* of different configurations (and the
// bucket policy and ownership) on one bucket at once all stay.
func TestConfigConcurrentPuts(t *testing.T) {
	env := startConfig(t)
	a := env.client(rootAKey, rootASecret)
	const rounds = 5
	puts := []func() error{
		func() error {
			_, err := a.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: bucketIn, Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}})
			return err
		},
		func() error {
			_, err := a.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: bucketIn, CORSConfiguration: &types.CORSConfiguration{
				CORSRules: []types.CORSRule{{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"GET"}}}}})
			return err
		},
		func() error {
			_, err := a.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: bucketIn, ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{
				Rules: []types.ServerSideEncryptionRule{{ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryptionAwsKms}}}}})
			return err
		},
		func() error {
			_, err := a.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: bucketIn, Policy: aws.String(
				`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::sdk-a-data/*"}]}`)})
			return err
		},
		func() error {
			_, err := a.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: bucketIn, OwnershipControls: &types.OwnershipControls{
				Rules: []types.OwnershipControlsRule{{ObjectOwnership: types.ObjectOwnershipObjectWriter}}}})
			return err
		},
	}
	var wg sync.WaitGroup
	errs := make(chan error, rounds*len(puts))
	for range rounds {
		for _, put := range puts {
			wg.Go(func() {
				if err := put(); err != nil {
					errs <- err
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent Put: %v", err)
	}
	if _, err := a.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: bucketIn}); err != nil {
		t.Errorf("tagging lost: %v", err)
	}
	if _, err := a.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: bucketIn}); err != nil {
		t.Errorf("CORS lost: %v", err)
	}
	enc := must[*s3.GetBucketEncryptionOutput](t, "GetBucketEncryption")(a.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: bucketIn}))
	if enc.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm != types.ServerSideEncryptionAwsKms {
		t.Errorf("encryption lost")
	}
	if _, err := a.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: bucketIn}); err != nil {
		t.Errorf("policy lost: %v", err)
	}
	own := must[*s3.GetBucketOwnershipControlsOutput](t, "GetBucketOwnershipControls")(a.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: bucketIn}))
	if own.OwnershipControls.Rules[0].ObjectOwnership != types.ObjectOwnershipObjectWriter {
		t.Errorf("ownership lost: %v", own.OwnershipControls.Rules[0].ObjectOwnership)
	}
}

// TestConfigSettingsGoWithTheBucket: a bucket deleted and created again
// starts with no configuration.
func TestConfigSettingsGoWithTheBucket(t *testing.T) {
	env := startConfig(t)
	a := env.client(rootAKey, rootASecret)
	name := aws.String("sdk-config-reborn")
	must[*s3.CreateBucketOutput](t, "CreateBucket")(a.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: name}))
	must[*s3.PutBucketTaggingOutput](t, "PutBucketTagging")(a.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: name,
		Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}}))
	must[*s3.DeleteBucketOutput](t, "DeleteBucket")(a.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: name}))
	must[*s3.CreateBucketOutput](t, "CreateBucket again")(a.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: name}))
	_, err := a.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: name})
	wantError(t, "GetBucketTagging of the new bucket", err, 404, "NoSuchTagSet")
}

// TestConfigOperationRows walks configOperations: each row is complete,
// unique, and answered by its handler (NoSuchBucket for a missing
// bucket, never NotImplemented).
func TestConfigOperationRows(t *testing.T) {
	env := startConfig(t)
	seen := map[string]bool{}
	for _, op := range sekishos3.ConfigOperations() {
		key := op.Method + " ?" + op.Query
		if op.Name == "" || op.Handler == nil || seen[key] || seen[op.Name] {
			t.Errorf("row %+v: incomplete or duplicate", op)
		}
		seen[key], seen[op.Name] = true, true
		if op.Method == http.MethodOptions {
			continue
		}
		if !strings.HasPrefix(op.Action, "s3:") || op.Query == "" {
			t.Errorf("row %s: action %q, query %q", op.Name, op.Action, op.Query)
		}
		r := rawRequest{Method: op.Method, Target: "/sdk-no-such-bucket?" + op.Query, Body: []byte("<x/>"), Key: rootAKey, Secret: rootASecret}.do(t, env.front)
		if r.Status != 404 || r.Code != "NoSuchBucket" {
			t.Errorf("%s on a missing bucket: %d %s", op.Name, r.Status, r.Code)
		}
	}
	if len(seen) < 2*30 {
		t.Errorf("only %d rows", len(seen)/2)
	}
}

func contentMD5(body string) string {
	sum := md5.Sum([]byte(body))
	return base64.StdEncoding.EncodeToString(sum[:])
}

// TestConfigDigest: configuration Puts need Content-MD5 or a checksum, and
// one that does not match the body is refused.
func TestConfigDigest(t *testing.T) {
	env := startConfig(t)
	body := `<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>`
	put := func(header map[string]string) rawResponse {
		return rawRequest{Method: http.MethodPut, Target: "/" + cfgBucket + "?tagging", Body: []byte(body), Key: rootAKey, Secret: rootASecret, Header: header}.do(t, env.front)
	}
	if r := put(nil); r.Status != 400 || r.Code != "InvalidRequest" {
		t.Errorf("without Content-MD5: %d %s", r.Status, r.Code)
	}
	if r := put(map[string]string{"Content-MD5": contentMD5("other")}); r.Status != 400 || r.Code != "BadDigest" {
		t.Errorf("wrong Content-MD5: %d %s", r.Status, r.Code)
	}
	if r := put(map[string]string{"Content-MD5": contentMD5(body)}); r.Status != 204 {
		t.Errorf("with Content-MD5: %d %s %s", r.Status, r.Code, r.Body)
	}
}
