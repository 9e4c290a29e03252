package server_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
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

// BenchmarkAssumeRoleServer measures the server alone: one AssumeRole
// request signed once by the SDK's SigV4 signer and replayed (a signature
// stays valid for 15 minutes) by a bare HTTP client. Every replay is
// verified, authorized against the trust and identity policies, and mints
// and seals fresh credentials.
func BenchmarkAssumeRoleServer(b *testing.B) {
	env := testenv.Start(b)
	body := "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A111111111111%3Arole%2Fassume_s3_role&RoleSessionName=bench"
	req, err := http.NewRequest(http.MethodPost, env.URL+"/", strings.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sum := sha256.Sum256([]byte(body))
	creds := aws.Credentials{AccessKeyID: "AKIA2222ALICE0000001", SecretAccessKey: "DemoSecretForAliceInAccountB000000000001"}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "sts", "ap-northeast-1", time.Now()); err != nil {
		b.Fatal(err)
	}
	header := req.Header.Clone()
	client := &http.Client{Transport: &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256}}
	runParallel(b, func(ctx context.Context) error {
		r, _ := http.NewRequestWithContext(ctx, http.MethodPost, env.URL+"/", strings.NewReader(body))
		r.Header = header.Clone()
		resp, err := client.Do(r)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d", resp.StatusCode)
		}
		return nil
	})
}
