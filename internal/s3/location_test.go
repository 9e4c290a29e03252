package s3

import "testing"

func TestCheckLocation(t *testing.T) {
	cases := []struct {
		constraint, signed, want, code string
	}{
		{"", "us-east-1", "us-east-1", ""},
		{"eu-west-1", "us-east-1", "eu-west-1", ""},
		{"eu-west-1", "eu-west-1", "eu-west-1", ""},
		{"us-east-1", "us-east-1", "", "InvalidLocationConstraint"},
		{"not-a-region", "us-east-1", "", "InvalidLocationConstraint"},
		{"", "eu-west-1", "", "IllegalLocationConstraintException"},
		{"ap-northeast-1", "eu-west-1", "", "IllegalLocationConstraintException"},
	}
	for _, c := range cases {
		got, e := checkLocation(c.constraint, c.signed)
		code := ""
		if e != nil {
			code = e.Code
		}
		if got != c.want || code != c.code {
			t.Errorf("checkLocation(%q, signed %q) = %q, %q; want %q, %q", c.constraint, c.signed, got, code, c.want, c.code)
		}
	}
}
