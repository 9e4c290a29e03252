package metrics

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/sekisho/sekisho/internal/authz"
)

// Decisions count under their effect and reason (none for an empty one),
// through the remembered counters as on the first lookup.
func TestDecisionsCountByEffectAndReason(t *testing.T) {
	m := New()
	decisions := []authz.Decision{
		{Effect: authz.Allowed, Reason: "direct-grant"}, {Effect: authz.Allowed, Reason: "direct-grant"},
		{Effect: authz.ExplicitDeny, Reason: "explicit-deny"}, {Effect: authz.ImplicitDeny},
		{Effect: authz.Allowed, Reason: "direct-grant"}, {Effect: authz.ImplicitDeny},
	}
	for i := range decisions {
		m.Decision(&decisions[i])
	}
	for _, c := range []struct {
		effect, reason string
		want           float64
	}{{"Allow", "direct-grant", 3}, {"ExplicitDeny", "explicit-deny", 1}, {"ImplicitDeny", "none", 2}} {
		if got := testutil.ToFloat64(m.decisions.WithLabelValues(c.effect, c.reason)); got != c.want {
			t.Errorf("%s/%s = %v, want %v", c.effect, c.reason, got, c.want)
		}
	}
	if n := len(*m.decided.Load()); n != 3 {
		t.Errorf("%d counters remembered, want 3", n)
	}
}
