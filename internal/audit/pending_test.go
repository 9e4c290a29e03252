package audit

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/authz"
	"github.com/sekisho/sekisho/internal/policy"
	"github.com/sekisho/sekisho/internal/store"
	"github.com/sekisho/sekisho/internal/store/sqlite"
)

// TestPendingIsBounded: past the bound the oldest unwritten decisions are
// dropped, and the drop is reported.
func TestPendingIsBounded(t *testing.T) {
	st, err := sqlite.OpenMemory()
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	l := NewLog(10, nil).WithStore(st)
	l.maxPending = 2
	req := &authz.Request{Principal: policy.Principal{Service: "ec2.amazonaws.com"}, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"}
	d := authz.Evaluate(req)
	for _, id := range []string{"r0", "r1", "r2", "r3", "r4"} {
		l.Record(id, req, &d)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // Persist flushes once and returns
	var reported []error
	l.Persist(ctx, st, time.Hour, 0, func(err error) { reported = append(reported, err) })
	if len(reported) != 1 || !strings.Contains(reported[0].Error(), "3 decisions dropped") {
		t.Fatalf("reported %v, want the 3 dropped decisions", reported)
	}
	var got []store.DecisionRecord
	if err := st.View(context.Background(), func(tx store.Tx) (err error) {
		got, err = tx.ListDecisions(time.Time{}, false, 0)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].RequestID != "r4" || got[1].RequestID != "r3" {
		t.Fatalf("stored %+v, want the newest two", got)
	}
}
