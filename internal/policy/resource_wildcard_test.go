package policy

import "testing"

// TestResourceStarEndingASegmentCrossesColons: IAM UG, Resource element,
// Using wildcards in resource ARNs: "If the * wildcard is the last
// character of a resource ARN segment, it can expand to match beyond the
// colon boundaries." Here: the * that ends a pattern of fewer than six
// parts. ArnLike keeps checking the six parts one by one.
func TestResourceStarEndingASegmentCrossesColons(t *testing.T) {
	cases := []struct {
		pattern, resource string
		want              bool
	}{
		{"arn:aws:s3:*", "arn:aws:s3:::bucket/key", true},
		{"arn:aws:iam::*", "arn:aws:iam::111111111111:role/r", true},
		{"arn:aws:iam::1*", "arn:aws:iam::111111111111:role/r", true},
		{"arn:aws:iam::2*", "arn:aws:iam::111111111111:role/r", false},
		{"arn:aws:s3:*", "arn:aws:sqs:us-east-1:111111111111:q", false},
		{"arn:aws:iam::111111111111", "arn:aws:iam::111111111111:role/r", false}, // no star: no expansion
		{"arn:aws:iam::1*", "arn:aws:iam::211111111111:role/r", false},
		{"arn:aws:s3:::b*", "arn:aws:s3:::b/k:x", true}, // six parts: the resource part keeps its colons
		{"arn:a*s:iam::111111111111:role/r", "arn:aws:iam::111111111111:role/r", true},
		{"arn:aws:s3:::b/*", "arn:aws:s3:::b/k:with:colons", true},
		{"arn:aws:s3:::b/x*", "arn:aws:s3:::b/k", false},
	}
	for _, tc := range cases {
		doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"` + tc.pattern + `"}]}`
		p := mustParse(t, doc, Identity)
		got := p.Evaluate(&Request{Action: "s3:GetObject", Resource: tc.resource, Context: NewContext()}).Allowed()
		if got != tc.want {
			t.Errorf("Resource %q on %q: allowed %v, want %v", tc.pattern, tc.resource, got, tc.want)
		}
	}
	// ArnLike compares each of the six parts separately (IAM UG, condition
	// operators, ARN condition operators).
	cond := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:s3:*"}}}]}`
	ctx := NewContext()
	ctx.Set("aws:SourceArn", "arn:aws:s3:::bucket")
	if mustParse(t, cond, Identity).Evaluate(&Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", Context: ctx}).Allowed() {
		t.Error("ArnLike arn:aws:s3:* matched arn:aws:s3:::bucket across parts")
	}
}
