package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sekisho/sekisho/internal/app"
	"github.com/sekisho/sekisho/internal/store"
	"github.com/sekisho/sekisho/internal/store/pgtest"
	"github.com/sekisho/sekisho/internal/store/postgres"
	"github.com/sekisho/sekisho/internal/store/sqlite"
	"github.com/sekisho/sekisho/internal/world"
)

// scaleWorld is the demo world plus n accounts of 20 roles each, every
// role trusting account B and holding an inline policy.
func scaleWorld(n int) *world.World {
	w := &world.World{}
	for i := 0; i < n; i++ {
		a := world.Account{ID: fmt.Sprintf("9%011d", i)}
		for r := 0; r < 20; r++ {
			a.Roles = append(a.Roles, world.Role{
				Name:        fmt.Sprintf("role-%02d", r),
				TrustPolicy: world.Document{JSON: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"222222222222"},"Action":"sts:AssumeRole"}]}`},
				InlinePolicies: map[string]world.Document{"read": {JSON: fmt.Sprintf(
					`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket-%d/*"}]}`, i)}},
			})
		}
		w.Accounts = append(w.Accounts, a)
	}
	return w
}

type backend string

const (
	embedded  backend = "sqlite"
	pgOne     backend = "postgres-1-replica"
	pgTwo     backend = "postgres-2-replicas"
	assumeARN         = "arn:aws:iam::111111111111:role/assume_s3_role"
)

// scaleServer starts the backend's replicas with the demo world and n
// extra accounts, and returns the URL clients use.
func scaleServer(b *testing.B, kind backend, accounts int) string {
	worlds := []*world.World{world.Demo(), scaleWorld(accounts)}
	blobDir := b.TempDir()
	replicas := 1
	var open func() store.Store
	switch kind {
	case embedded:
		st, err := sqlite.Open(b.TempDir() + "/sekisho.db")
		if err != nil {
			b.Fatal(err)
		}
		open = func() store.Store { return st }
	default:
		dsn := pgtest.Start(b)
		open = func() store.Store {
			st, err := postgres.Open(context.Background(), dsn)
			if err != nil {
				b.Fatal(err)
			}
			return st
		}
		if kind == pgTwo {
			replicas = 2
		}
	}
	var servers []*httptest.Server
	for i := 0; i < replicas; i++ {
		st := open()
		b.Cleanup(func() { st.Close() })
		ws := worlds
		if i > 0 {
			ws = nil // loaded once
		}
		a, err := app.New(context.Background(), app.Config{Store: st, BlobDir: blobDir, SharedBlobs: kind != embedded,
			Worlds: ws, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(a.Close)
		srv := httptest.NewServer(a.Handler)
		b.Cleanup(srv.Close)
		servers = append(servers, srv)
	}
	if replicas == 1 {
		return servers[0].URL
	}
	return roundRobinBench(b, servers)
}

func roundRobinBench(b *testing.B, servers []*httptest.Server) string {
	var mu sync.Mutex
	next := 0
	proxyClient := &http.Client{Transport: &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256}}
	lb := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		target := servers[next%len(servers)].URL
		next++
		mu.Unlock()
		out, _ := http.NewRequestWithContext(r.Context(), r.Method, target+r.URL.RequestURI(), r.Body)
		out.Header = r.Header.Clone()
		out.Host = r.Host
		out.ContentLength = r.ContentLength
		resp, err := proxyClient.Do(out)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		_, _ = io.Copy(w, resp.Body)
	}))
	b.Cleanup(lb.Close)
	return lb.URL
}

// replay sends one pre-signed request in parallel and reports req/s and p99.
func replay(b *testing.B, newReq func() *http.Request) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256}}
	var mu sync.Mutex
	var lat []time.Duration
	b.SetParallelism(8)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			t0 := time.Now()
			resp, err := client.Do(newReq())
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
			d := time.Since(t0)
			mu.Lock()
			lat = append(lat, d)
			mu.Unlock()
		}
	})
	elapsed := time.Since(start)
	slices.Sort(lat)
	if len(lat) > 0 {
		b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "req/s")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	}
}

func signedAssumeRole(b *testing.B, url string) func() *http.Request {
	body := "Action=AssumeRole&Version=2011-06-15&RoleArn=" + strings.ReplaceAll(strings.ReplaceAll(assumeARN, ":", "%3A"), "/", "%2F") + "&RoleSessionName=scale"
	req, _ := http.NewRequest(http.MethodPost, url+"/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sum := sha256.Sum256([]byte(body))
	creds := aws.Credentials{AccessKeyID: aliceKey, SecretAccessKey: aliceSecret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "sts", "ap-northeast-1", time.Now()); err != nil {
		b.Fatal(err)
	}
	header := req.Header.Clone()
	return func() *http.Request {
		r, _ := http.NewRequest(http.MethodPost, url+"/", strings.NewReader(body))
		r.Header = header.Clone()
		return r
	}
}

func presignedGet(b *testing.B, url string) func() *http.Request {
	c := rootA(url)
	p, err := s3.NewPresignClient(c).PresignGetObject(context.Background(),
		&s3.GetObjectInput{Bucket: aws.String("account-a-bucket-0525"), Key: aws.String("test.txt")}, s3.WithPresignExpires(time.Hour))
	if err != nil {
		b.Fatal(err)
	}
	return func() *http.Request {
		r, _ := http.NewRequest(http.MethodGet, p.URL, nil)
		return r
	}
}

// BenchmarkScale: AssumeRole and GetObject throughput and latency with 10
// and 10,000 extra accounts (× 20 roles), on the embedded store and on
// PostgreSQL with one and two replicas. Slow to set up; run it alone:
//
//	go test -run '^$' -bench Scale -benchtime 3s ./internal/e2e/
func BenchmarkScale(b *testing.B) {
	for _, kind := range []backend{embedded, pgOne, pgTwo} {
		for _, accounts := range []int{10, 10_000} {
			b.Run(fmt.Sprintf("%s/accounts=%d", kind, accounts), func(b *testing.B) {
				url := scaleServer(b, kind, accounts)
				b.Run("AssumeRole", func(b *testing.B) { replay(b, signedAssumeRole(b, url)) })
				b.Run("GetObject", func(b *testing.B) { replay(b, presignedGet(b, url)) })
			})
		}
	}
}
