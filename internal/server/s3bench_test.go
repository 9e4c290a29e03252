package server_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/sekisho/sekisho/internal/audit"
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

// BenchmarkLargeObjectParallel moves the same 256 MiB the way `aws s3 cp`
// does for large files: a multipart upload of 16 MiB parts, four at a
// time, and a download in four parallel ranged GETs written into place,
// against a plain copy (read, write, fsync) on the same disk.
func BenchmarkLargeObjectParallel(b *testing.B) {
	const size, part, workers = 256 << 20, 16 << 20, 4
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
		t0 = time.Now()
		multipartPut(b, ctx, c, src, size, part, workers)
		putTime += time.Since(t0)
		t0 = time.Now()
		rangedGet(b, ctx, c, filepath.Join(dir, "got.bin"), size, part, workers)
		getTime += time.Since(t0)
	}
	mbps := func(d time.Duration) float64 { return float64(size) * float64(b.N) / d.Seconds() / (1 << 20) }
	b.ReportMetric(mbps(copyTime), "cp-MB/s")
	b.ReportMetric(mbps(putTime), "put-MB/s")
	b.ReportMetric(mbps(getTime), "get-MB/s")
	b.ReportMetric(100*copyTime.Seconds()/putTime.Seconds(), "put-%-of-cp")
	b.ReportMetric(100*copyTime.Seconds()/getTime.Seconds(), "get-%-of-cp")
}

// parallel runs job(i) for i in [0, n) on workers goroutines.
func parallel(n, workers int, job func(i int) error) error {
	var wg sync.WaitGroup
	errs := make(chan error, n)
	next := make(chan int, n)
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := job(i); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	return <-errs
}

func multipartPut(b *testing.B, ctx context.Context, c *s3.Client, src string, size, part int64, workers int) {
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(benchBucket), Key: aws.String("large-mp")})
	if err != nil {
		b.Fatal(err)
	}
	f, err := os.Open(src)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	n := int((size + part - 1) / part)
	done := make([]types.CompletedPart, n)
	err = parallel(n, workers, func(i int) error {
		length := min(part, size-int64(i)*part)
		out, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(benchBucket), Key: aws.String("large-mp"), UploadId: up.UploadId,
			PartNumber: aws.Int32(int32(i + 1)), Body: io.NewSectionReader(f, int64(i)*part, length), ContentLength: aws.Int64(length)})
		if err == nil {
			done[i] = types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: out.ETag}
		}
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(benchBucket), Key: aws.String("large-mp"),
		UploadId: up.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: done}}); err != nil {
		b.Fatal(err)
	}
}

func rangedGet(b *testing.B, ctx context.Context, c *s3.Client, dst string, size, part int64, workers int) {
	out, err := os.Create(dst)
	if err != nil {
		b.Fatal(err)
	}
	defer out.Close()
	n := int((size + part - 1) / part)
	err = parallel(n, workers, func(i int) error {
		start, end := int64(i)*part, min(int64(i+1)*part, size)-1
		resp, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(benchBucket), Key: aws.String("large-mp"),
			Range: aws.String(fmt.Sprintf("bytes=%d-%d", start, end))})
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		_, err = io.Copy(io.NewOffsetWriter(out, start), resp.Body)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := out.Sync(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkRecord: the throughput cost of persisting allowed decisions
// (serve --record all) against the default (denials only), for 4 KiB
// GetObjects (one allowed decision each) with the store in a file, as
// serve --data-dir keeps it.
func BenchmarkRecord(b *testing.B) {
	for _, mode := range []struct {
		name   string
		record audit.Recording
	}{{"denials", audit.RecordDenials}, {"all", audit.RecordAll}} {
		b.Run(mode.name, func(b *testing.B) {
			env := testenv.Start(b, testenv.WithRecord(mode.record), testenv.WithStoreFile(filepath.Join(b.TempDir(), "sekisho.db")))
			c := s3Client(env.URL)
			putBenchObject(b, c, "bench", 4<<10)
			b.SetBytes(4 << 10)
			runParallel(b, func(ctx context.Context) error {
				out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(benchBucket), Key: aws.String("bench")})
				if err != nil {
					return err
				}
				_, err = io.Copy(io.Discard, out.Body)
				out.Body.Close()
				return err
			})
		})
	}
}
