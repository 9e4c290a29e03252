package policy

import "testing"

// TestQuestionMarkMatchesOneCharacter: IAM UG, Resource element: the ?
// wildcard stands for "any single character", and condition operators:
// StringLike's ? is a "single-character match wildcard". A character of
// a UTF-8 value (an S3 key, a tag value) may take several bytes.
func TestQuestionMarkMatchesOneCharacter(t *testing.T) {
	cases := []struct {
		pattern, value string
		want           bool
	}{
		{"a?c", "aéc", true},
		{"a??c", "aéc", false},
		{"??", "é", false},
		{"?", "日", true},
		{"*?", "日", true},
		{"a?", "a", false},
		{"a?c", "abc", true},
	}
	for _, tc := range cases {
		doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringLike":{"s3:prefix":"` + tc.pattern + `"}}}]}`
		ctx := NewContext()
		ctx.Set("s3:prefix", tc.value)
		got := mustParse(t, doc, Identity).Evaluate(&Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b", Context: ctx}).Allowed()
		if got != tc.want {
			t.Errorf("StringLike %q on %q: %v, want %v", tc.pattern, tc.value, got, tc.want)
		}
		res := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/` + tc.pattern + `"}]}`
		got = mustParse(t, res, Identity).Evaluate(&Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/" + tc.value, Context: NewContext()}).Allowed()
		if got != tc.want {
			t.Errorf("Resource b/%q on b/%q: %v, want %v", tc.pattern, tc.value, got, tc.want)
		}
	}
}
