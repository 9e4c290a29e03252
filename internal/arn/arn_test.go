package arn

import "testing"

func TestParse(t *testing.T) {
	a, err := Parse("arn:aws:iam::111111111111:role/path/Name")
	if err != nil || a.Service != "iam" || a.Account != "111111111111" || a.Resource != "role/path/Name" || a.Region != "" {
		t.Fatalf("%+v %v", a, err)
	}
	if a.String() != "arn:aws:iam::111111111111:role/path/Name" {
		t.Fatal(a.String())
	}
	for _, bad := range []string{"", "arn:aws:s3", "xrn:aws:s3:::b", "arn::s3:::b", "arn:aws:s3:::"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) succeeded", bad)
		}
	}
}

func TestMatch(t *testing.T) {
	cases := []struct {
		pattern, arn string
		want         bool
	}{
		{"*", "arn:aws:s3:::b/k", true},
		{"arn:aws:s3:::b/*", "arn:aws:s3:::b/k/l", true},
		{"arn:aws:s3:::b/*", "arn:aws:s3:::B/k", false},
		{"arn:aws:iam::*:role/*", "arn:aws:iam::111111111111:role/x", true},
		{"arn:aws:iam::*:role/*", "arn:aws:iam::111111111111:user/x", false},
		{"arn:aws:iam::*user/alice", "arn:aws:iam::111111111111:user/alice", false},
		{"arn:aws:*:*:*:*", "arn:aws:iam::1:role/a:b", true},
		{"arn:aws:iam::1?1:root", "arn:aws:iam::111:root", true},
	}
	for _, c := range cases {
		if got := Match(c.pattern, c.arn); got != c.want {
			t.Errorf("Match(%q, %q) = %v", c.pattern, c.arn, got)
		}
	}
}

func TestGlob(t *testing.T) {
	if !GlobFold("s3:get*", "S3:GetObject") || Glob("s3:get*", "S3:GetObject") || !Glob("a?c", "abc") || Glob("a?c", "ac") {
		t.Fatal("glob")
	}
}
