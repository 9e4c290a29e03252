package generate

import (
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/policy"
)

// FuzzGenerate: whatever the logged resources, prefixes and principals,
// generation does not panic, and a policy it makes from well-formed S3
// resources is a valid identity policy.
func FuzzGenerate(f *testing.F) {
	f.Add("arn:aws:iam::111111111111:role/App", "arn:aws:sts::111111111111:assumed-role/App/s", "s3:GetObject", "b", "reports/2024/jan.csv", "reports/", 3)
	f.Add("arn:aws:sts::111111111111:assumed-role/App/s", "arn:aws:sts::111111111111:assumed-role/App/s", "s3:ListBucket", "b", "", "a//b/", 0)
	f.Add("arn:aws:iam::111111111111:user/u", "arn:aws:iam::111111111111:user/u", "s3:PutObject", "b", "//", "/", 1)
	f.Fuzz(func(t *testing.T, target, caller, action, bucket, key, prefix string, n int) {
		ctx := map[string][]string{"aws:PrincipalArn": {"arn:aws:iam::111111111111:role/App"}, "s3:prefix": {prefix}}
		var events []Event
		for i, k := range []string{key, key + "/x", key + "/y", key + "/z", key + "/x/1", "other"} {
			resource := "arn:aws:s3:::" + bucket + "/" + k
			if action == "s3:ListBucket" {
				resource = "arn:aws:s3:::" + bucket
			}
			events = append(events, Event{Principal: caller, Action: action, Resource: resource, Allowed: i%5 != 4, Context: ctx})
		}
		res, err := Generate(events, Options{Principal: target, CollapseAbove: n % 8})
		if err != nil || len(res.Policy.Statement) == 0 {
			return
		}
		doc, err := res.PolicyJSON()
		if err != nil {
			t.Fatal(err)
		}
		if !validAction(action) || !validBucket(bucket) {
			return
		}
		if _, err := policy.Parse(string(doc), policy.Identity); err != nil && len(doc) < 6000 {
			t.Fatalf("invalid policy from action %q bucket %q key %q prefix %q: %v\n%s", action, bucket, key, prefix, err, doc)
		}
	})
}

// validAction: service:Name, as the log writes actions.
func validAction(a string) bool {
	service, name, ok := strings.Cut(a, ":")
	if !ok || (service != "s3" && service != "iam" && service != "sts") || name == "" {
		return false
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

// validBucket: a plain bucket name, so that the ARN is well formed.
func validBucket(b string) bool {
	if len(b) < 3 || len(b) > 63 {
		return false
	}
	for _, r := range b {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '.') {
			return false
		}
	}
	return true
}
