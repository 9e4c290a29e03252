package sts

import (
	"testing"

	"github.com/sekisho/sekisho/internal/access"
	"github.com/sekisho/sekisho/internal/store"
)

// isRoleARN agrees with comparing access.RoleARN.
func TestIsRoleARN(t *testing.T) {
	role := store.Role{Account: "111111111111", Path: "/team/", Name: "app"}
	for _, s := range []string{access.RoleARN(role), "arn:aws:iam::111111111111:role/team/app", "arn:aws:iam::111111111111:role/app",
		"arn:aws:iam::111111111111:role/team/App", "arn:aws:iam::111111111111:role/team/appx", "arn:aws:iam::11111111111:role/team/app", ""} {
		if got, want := isRoleARN(role, s), access.RoleARN(role) == s; got != want {
			t.Errorf("isRoleARN(%q) = %v, want %v", s, got, want)
		}
		if got := roleARNOf(role, s); got != access.RoleARN(role) {
			t.Errorf("roleARNOf(%q) = %q", s, got)
		}
	}
}
