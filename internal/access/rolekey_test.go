package access

import (
	"strings"
	"testing"
)

// roleKey is the key Role used to build by concatenation.
func TestRoleKeyAsConcatenation(t *testing.T) {
	for _, name := range []string{"", "assume_s3_role", "MixedCase", "ÉCOLE", "aİb", "x\xffY"} {
		var space [8]byte // small: the key also grows past the stack buffer
		if got, want := string(roleKey(space[:0], "111111111111", name)), "111111111111/"+strings.ToLower(name); got != want {
			t.Errorf("roleKey(%q) = %q, want %q", name, got, want)
		}
	}
}
