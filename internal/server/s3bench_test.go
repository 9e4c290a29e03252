package server_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sekisho/sekisho/internal/testenv"
)

func s3Client(url string) *s3.Client {
	transport := &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256}
	return s3.New(s3.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(url), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider("AKIA1111ROOT00000001", "DemoRootSecretForAccountA0000000000000001", ""),
		HTTPClient:  &http.Client{Transport: transport},
		Retryer:     aws.NopRetryer{},
	})
}

const benchBucket = "account-a-bucket-0525"

func putBenchObject(b *testing.B, c *s3.Client, key string, size int) []byte {
	data := make([]byte, size)
	_, _ = rand.Read(data)
	_, err := c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(benchBucket), Key: aws.String(key), Body: bytes.NewReader(data)})
	if err != nil {
		b.Fatal(err)
	}
	return data
}

// benchmarkGet reads one object with the SDK (SigV4 header auth, policy
// evaluation, body streamed) from parallel clients.
func benchmarkGet(b *testing.B, size int) {
	env := testenv.Start(b)
	c := s3Client(env.URL)
	putBenchObject(b, c, "bench", size)
	b.SetBytes(int64(size))
	runParallel(b, func(ctx context.Context) error {
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(benchBucket), Key: aws.String("bench")})
		if err != nil {
			return err
		}
		_, err = io.Copy(io.Discard, out.Body)
		out.Body.Close()
		return err
	})
}

func BenchmarkGetObject4KiB(b *testing.B) { benchmarkGet(b, 4<<10) }
func BenchmarkGetObject1MiB(b *testing.B) { benchmarkGet(b, 1<<20) }

func benchmarkPut(b *testing.B, size int) {
	env := testenv.Start(b)
	c := s3Client(env.URL)
	data := make([]byte, size)
	_, _ = rand.Read(data)
	b.SetBytes(int64(size))
	runParallel(b, func(ctx context.Context) error {
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(benchBucket), Key: aws.String("bench"), Body: bytes.NewReader(data)})
		return err
	})
}

func BenchmarkPutObject4KiB(b *testing.B) { benchmarkPut(b, 4<<10) }
func BenchmarkPutObject1MiB(b *testing.B) { benchmarkPut(b, 1<<20) }

// BenchmarkGetObject4KiBPresigned measures the server alone: a presigned
// SigV4 URL made once by the SDK's presigner, fetched by a bare HTTP
// client, so the SDK's own per-request cost stays out of the figure. Every
// request is still verified and authorized in full.
func BenchmarkGetObject4KiBPresigned(b *testing.B) {
	env := testenv.Start(b)
	c := s3Client(env.URL)
	putBenchObject(b, c, "bench", 4<<10)
	req, err := s3.NewPresignClient(c).PresignGetObject(context.Background(),
		&s3.GetObjectInput{Bucket: aws.String(benchBucket), Key: aws.String("bench")}, s3.WithPresignExpires(time.Hour))
	if err != nil {
		b.Fatal(err)
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256}}
	b.SetBytes(4 << 10)
	runParallel(b, func(ctx context.Context) error {
		resp, err := client.Get(req.URL)
		if err != nil {
			return err
		}
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("status %d", resp.StatusCode)
		}
		return err
	})
}

// BenchmarkLargeObjectVsCopy puts and gets a 256 MiB object through the
// SDK (one streaming PUT, one GET) and compares the throughput with a plain
// file copy (read, write, fsync) of the same bytes on the same disk.
func BenchmarkLargeObjectVsCopy(b *testing.B) {
	const size = 256 << 20
	dir := b.TempDir()
	src := filepath.Join(dir, "src.bin")
	f, err := os.Create(src)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.CopyN(f, rand.Reader, size); err != nil {
		b.Fatal(err)
	}
	f.Close()
	env := testenv.Start(b)
	c := s3Client(env.URL)
	ctx := context.Background()
	var copyTime, putTime, getTime time.Duration
	for b.Loop() {
		t0 := time.Now()
		copyFile(b, src, filepath.Join(dir, "copy.bin"))
		copyTime += time.Since(t0)

		in, _ := os.Open(src)
		t0 = time.Now()
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(benchBucket), Key: aws.String("large"), Body: in, ContentLength: aws.Int64(size)})
		putTime += time.Since(t0)
		in.Close()
		if err != nil {
			b.Fatal(err)
		}
		t0 = time.Now()
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(benchBucket), Key: aws.String("large")})
		if err != nil {
			b.Fatal(err)
		}
		dst, _ := os.Create(filepath.Join(dir, "got.bin"))
		_, _ = io.Copy(dst, out.Body)
		_ = dst.Sync()
		dst.Close()
		out.Body.Close()
		getTime += time.Since(t0)
	}
	mbps := func(d time.Duration) float64 { return float64(size) * float64(b.N) / d.Seconds() / (1 << 20) }
	b.ReportMetric(mbps(copyTime), "cp-MB/s")
	b.ReportMetric(mbps(putTime), "put-MB/s")
	b.ReportMetric(mbps(getTime), "get-MB/s")
	b.ReportMetric(100*copyTime.Seconds()/putTime.Seconds(), "put-%-of-cp")
	b.ReportMetric(100*copyTime.Seconds()/getTime.Seconds(), "get-%-of-cp")
}

func copyFile(b *testing.B, src, dst string) {
	in, err := os.Open(src)
	if err != nil {
		b.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		b.Fatal(err)
	}
	defer out.Close()
	if _, err := io.Copy(out, in); err != nil {
		b.Fatal(err)
	}
	if err := out.Sync(); err != nil {
		b.Fatal(err)
	}
}
