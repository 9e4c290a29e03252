package audit

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/authz"
	"github.com/sekisho/sekisho/internal/policy"
	"github.com/sekisho/sekisho/internal/store/sqlite"
)

// BenchmarkPersistAllowed is the background cost, per allowed decision,
// of serve --record all: recording it, explaining it (brief), encoding
// it and writing it to an SQLite file in batches. It is what --record all
// adds to each request's CPU; the request path itself only queues.
func BenchmarkPersistAllowed(b *testing.B) {
	identity, err := policy.Parse(`{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::bucket/*"},
		{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::bucket","Condition":{"StringLike":{"s3:prefix":"reports/*"}}}]}`, policy.Identity)
	if err != nil {
		b.Fatal(err)
	}
	ctx := policy.NewContext()
	for k, v := range map[string]string{"aws:SourceIp": "127.0.0.1", "aws:UserAgent": "aws-sdk-go-v2/1.48.0 os/linux lang/go#1.26",
		"aws:RequestedRegion": "us-east-1", "aws:userid": "AROAEXAMPLE:session", "aws:PrincipalArn": "arn:aws:iam::111111111111:role/App"} {
		ctx.Set(k, v)
	}
	req := &authz.Request{Principal: policy.Principal{Type: policy.PrincipalAssumedRole, Account: "111111111111",
		ARN: "arn:aws:sts::111111111111:assumed-role/App/session", RoleARN: "arn:aws:iam::111111111111:role/App"},
		Action: "s3:GetObject", Resource: "arn:aws:s3:::bucket/reports/2024/jan.csv", Context: ctx,
		Identity: []authz.Source{{Name: "app", Policy: identity}}, AccessKeyID: "ASIAEXAMPLE"}
	d := authz.Evaluate(req)
	if d.Effect != authz.Allowed {
		b.Fatal("not allowed")
	}
	st, err := sqlite.Open(filepath.Join(b.TempDir(), "sekisho.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	l := NewLog(10_000, nil).WithStore(st).SetRecording(RecordAll)
	l.maxPending = b.N + 1
	p := &persister{log: l, st: st, onErr: func(err error) { b.Error(err) }}
	ids := make([]string, b.N)
	for i := range ids {
		ids[i] = "req-" + time.Duration(i).String()
	}
	b.ResetTimer()
	for i := range b.N {
		l.Record(ids[i], req, &d)
		if (i+1)%1000 == 0 {
			if err := p.flush(context.Background()); err != nil {
				b.Fatal(err)
			}
		}
	}
	if err := p.flush(context.Background()); err != nil {
		b.Fatal(err)
	}
}
