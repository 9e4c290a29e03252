package audit

import (
	"context"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/authz"
	"github.com/sekisho/sekisho/internal/policy"
	"github.com/sekisho/sekisho/internal/store"
	"github.com/sekisho/sekisho/internal/store/sqlite"
)

// TestRecording: denials (the default), allows or all reach the store,
// and Details reads allowed decisions back from it with their keys.
func TestRecording(t *testing.T) {
	allowDoc, err := policy.Parse(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`, policy.Identity)
	if err != nil {
		t.Fatal(err)
	}
	principal := policy.Principal{Type: policy.PrincipalUser, Account: "111111111111", ARN: "arn:aws:iam::111111111111:user/alice"}
	allowed := &authz.Request{Principal: principal, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", Context: policy.NewContext(),
		Identity: []authz.Source{{Name: "read", Policy: allowDoc}}, AccessKeyID: "AKIAALICE"}
	denied := &authz.Request{Principal: principal, Action: "s3:PutObject", Resource: "arn:aws:s3:::b/k", Context: policy.NewContext()}
	for _, tc := range []struct {
		name   string
		record string
		want   []string // stored request ids
	}{{"denials", "denials", []string{"deny"}}, {"allows", "allows", []string{"allow"}}, {"all", "all", []string{"allow", "deny"}}} {
		t.Run(tc.name, func(t *testing.T) {
			st, err := sqlite.OpenMemory()
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			mode, err := ParseRecording(tc.record)
			if err != nil {
				t.Fatal(err)
			}
			l := NewLog(10, nil).WithStore(st).SetRecording(mode)
			for id, req := range map[string]*authz.Request{"allow": allowed, "deny": denied} {
				d := authz.Evaluate(req)
				l.Record(id, req, &d)
			}
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			l.Persist(ctx, st, time.Hour, 0, nil)
			var got []store.DecisionRecord
			if err := st.View(context.Background(), func(tx store.Tx) (err error) {
				got, err = tx.DecisionDetails(time.Time{}, time.Time{}, 0)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, r := range got {
				ids = append(ids, r.RequestID)
			}
			if len(ids) != len(tc.want) || (len(ids) == 2 && ids[0] == ids[1]) || (len(ids) == 1 && ids[0] != tc.want[0]) {
				t.Fatalf("stored %v, want %v", ids, tc.want)
			}
			fresh := NewLog(1, nil).WithStore(st) // a restarted server: only the store
			for _, x := range fresh.Details(time.Time{}, time.Time{}) {
				if x.RequestID == "allow" && (x.AccessKeyID != "AKIAALICE" || x.Decision != "allowed" || len(x.Deciding) != 1) {
					t.Errorf("stored allow: %+v", x)
				}
			}
		})
	}
	if _, err := ParseRecording("everything"); err == nil {
		t.Error("--record everything was accepted")
	}
}
