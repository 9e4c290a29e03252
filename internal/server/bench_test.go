package server_test

import (
	"context"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/sekisho/sekisho/internal/testenv"
)

// benchClient is a real SigV4 client (aws-sdk-go-v2) with a connection
// pool sized for the parallel benchmark.
func benchClient(url string) *sts.Client {
	transport := &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256}
	return sts.New(sts.Options{
		Region: "ap-northeast-1", BaseEndpoint: aws.String(url),
		Credentials: credentials.NewStaticCredentialsProvider("AKIA2222ALICE0000001", "DemoSecretForAliceInAccountB000000000001", ""),
		HTTPClient:  &http.Client{Transport: transport},
		Retryer:     aws.NopRetryer{},
	})
}

// latencies collects per-request durations to report p99.
type latencies struct {
	mu  sync.Mutex
	all []time.Duration
}

func (l *latencies) add(d time.Duration) {
	l.mu.Lock()
	l.all = append(l.all, d)
	l.mu.Unlock()
}

func (l *latencies) report(b *testing.B, elapsed time.Duration) {
	slices.Sort(l.all)
	if len(l.all) == 0 {
		return
	}
	p99 := l.all[len(l.all)*99/100]
	b.ReportMetric(float64(len(l.all))/elapsed.Seconds(), "req/s")
	b.ReportMetric(float64(p99.Microseconds()), "p99-µs")
}

func runParallel(b *testing.B, call func(ctx context.Context) error) {
	var lat latencies
	b.SetParallelism(8)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		ctx := context.Background()
		for pb.Next() {
			t0 := time.Now()
			if err := call(ctx); err != nil {
				b.Error(err)
				return
			}
			lat.add(time.Since(t0))
		}
	})
	lat.report(b, time.Since(start))
}

// BenchmarkGetCallerIdentity: signed STS requests over loopback.
func BenchmarkGetCallerIdentity(b *testing.B) {
	env := testenv.Start(b)
	c := benchClient(env.URL)
	runParallel(b, func(ctx context.Context) error {
		_, err := c.GetCallerIdentity(ctx, nil)
		return err
	})
}

// BenchmarkAssumeRole: the seeds' cross-account AssumeRole, trust policy
// and identity policy evaluated, credentials sealed, over loopback.
func BenchmarkAssumeRole(b *testing.B) {
	env := testenv.Start(b)
	c := benchClient(env.URL)
	in := &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::111111111111:role/assume_s3_role"), RoleSessionName: aws.String("bench")}
	runParallel(b, func(ctx context.Context) error {
		_, err := c.AssumeRole(ctx, in)
		return err
	})
}
