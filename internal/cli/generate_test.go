package cli

import "testing"

// TestWindowFlags: --since or --from/--to, checked before any request.
func TestWindowFlags(t *testing.T) {
	for _, bad := range []windowFlags{
		{since: "1h", from: "2026-12-05T08:00:00Z"},
		{since: "an hour"},
		{from: "yesterday"},
		{to: "2026-12-05"},
	} {
		if _, err := bad.query(); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
	q, err := (&windowFlags{from: "2026-12-05T08:00:00Z", to: "2026-12-05T09:00:00.5Z"}).query()
	if err != nil || q.Get("detail") != "true" || q.Get("from") != "2026-12-05T08:00:00Z" || q.Get("to") != "2026-12-05T09:00:00.5Z" {
		t.Errorf("query %v, %v", q, err)
	}
}
