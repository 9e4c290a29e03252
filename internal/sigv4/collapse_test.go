package sigv4

import (
	"strings"
	"testing"
)

// FuzzAppendCollapsed pins the allocation-free header trimming to the
// definition it replaces: strings.Join(strings.Fields(v), " ").
func FuzzAppendCollapsed(f *testing.F) {
	for _, v := range []string{"", " ", "a", "  a  b\t c ", "x\r\ny", "\u00a0a\u0085b", "AWS4-HMAC-SHA256  Credential=x"} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v string) {
		want := strings.Join(strings.Fields(v), " ")
		if got := string(appendCollapsed([]byte("p:"), v)); got != "p:"+want {
			t.Fatalf("appendCollapsed(%q) = %q, want %q", v, got, "p:"+want)
		}
	})
}
