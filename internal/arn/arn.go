// Package arn parses, formats and matches Amazon Resource Names.
//
// Matching follows IAM's rules: an ARN is six colon-separated parts
// (arn:partition:service:region:account:resource), the last part keeping
// any further colons; wildcards apply within a part, so `*` never crosses
// the first five colons but spans `/` and `:` inside the resource part.
package arn

import (
	"errors"
	"fmt"
	"strings"
)

// ARN is a parsed Amazon Resource Name.
type ARN struct {
	Partition string
	Service   string
	Region    string
	Account   string
	Resource  string
}

// ErrInvalid is wrapped by every parse error.
var ErrInvalid = errors.New("invalid ARN")

// Parse splits s into its parts. It requires the "arn:" prefix, a
// partition, a service and a resource; region and account may be empty.
func Parse(s string) (ARN, error) {
	var parts [6]string
	if !Split(s, &parts) {
		return ARN{}, fmt.Errorf("%w: %q has fewer than six colon-separated parts", ErrInvalid, s)
	}
	if parts[0] != "arn" {
		return ARN{}, fmt.Errorf("%w: %q does not start with \"arn:\"", ErrInvalid, s)
	}
	a := ARN{Partition: parts[1], Service: parts[2], Region: parts[3], Account: parts[4], Resource: parts[5]}
	if a.Partition == "" || a.Service == "" || a.Resource == "" {
		return ARN{}, fmt.Errorf("%w: %q lacks a partition, service or resource", ErrInvalid, s)
	}
	return a, nil
}

// String formats the ARN.
func (a ARN) String() string {
	return "arn:" + a.Partition + ":" + a.Service + ":" + a.Region + ":" + a.Account + ":" + a.Resource
}

// Split cuts s at its first five colons into parts without allocating.
// It reports false when s has fewer than five colons.
func Split(s string, parts *[6]string) bool {
	for i := 0; i < 5; i++ {
		j := strings.IndexByte(s, ':')
		if j < 0 {
			return false
		}
		parts[i] = s[:j]
		s = s[j+1:]
	}
	parts[5] = s
	return true
}

// IsAccountID reports whether s is a 12-digit AWS account id.
func IsAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Glob reports whether s matches pattern, where `*` matches any run of
// characters (including none) and `?` exactly one. Comparison is exact
// (case-sensitive). It never allocates and runs in O(len(s)*len(pattern))
// worst case with the classic single-backtrack algorithm.
func Glob(pattern, s string) bool {
	return glob(pattern, s, false)
}

// GlobFold is Glob with ASCII case-insensitive comparison, as IAM uses
// for action names.
func GlobFold(pattern, s string) bool {
	return glob(pattern, s, true)
}

func glob(p, s string, fold bool) bool {
	pi, si := 0, 0
	starP, starS := -1, 0
	for si < len(s) {
		if pi < len(p) {
			switch c := p[pi]; {
			case c == '*':
				starP, starS = pi, si
				pi++
				continue
			case c == '?' || c == s[si] || (fold && lower(c) == lower(s[si])):
				pi++
				si++
				continue
			}
		}
		if starP < 0 {
			return false
		}
		pi = starP + 1
		starS++
		si = starS
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// Match reports whether arn matches pattern part by part, as IAM matches
// a statement's Resource and as the Arn* condition operators do. A pattern
// of just "*" matches anything; any other pattern needs six parts.
func Match(pattern, arn string) bool {
	if pattern == "*" {
		return true
	}
	for i := 0; i < 5; i++ {
		pj := strings.IndexByte(pattern, ':')
		aj := strings.IndexByte(arn, ':')
		if pj < 0 || aj < 0 {
			return false
		}
		if !Glob(pattern[:pj], arn[:aj]) {
			return false
		}
		pattern, arn = pattern[pj+1:], arn[aj+1:]
	}
	return Glob(pattern, arn)
}
