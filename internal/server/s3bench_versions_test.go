package server_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/sekisho/sekisho/internal/app"
	"github.com/sekisho/sekisho/internal/blob"
	"github.com/sekisho/sekisho/internal/store/sqlite"
	"github.com/sekisho/sekisho/internal/testenv"
	"github.com/sekisho/sekisho/internal/world"
)

// enableBenchVersioning turns versioning on for the bench bucket.
func enableBenchVersioning(b *testing.B, c *s3.Client) {
	_, err := c.PutBucketVersioning(context.Background(), &s3.PutBucketVersioningInput{Bucket: aws.String(benchBucket),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}})
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkGetObject4KiBVersioned is BenchmarkGetObject4KiB on a bucket
// with versioning Enabled, reading the latest of several versions.
func BenchmarkGetObject4KiBVersioned(b *testing.B) {
	env := testenv.Start(b)
	c := s3Client(env.URL)
	enableBenchVersioning(b, c)
	for range 3 {
		putBenchObject(b, c, "bench", 4<<10)
	}
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
}

// BenchmarkPutObject4KiBVersioned is BenchmarkPutObject4KiB on a bucket
// with versioning Enabled: every PUT adds a version of the same key.
func BenchmarkPutObject4KiBVersioned(b *testing.B) {
	env := testenv.Start(b)
	c := s3Client(env.URL)
	enableBenchVersioning(b, c)
	data := make([]byte, 4<<10)
	_, _ = rand.Read(data)
	b.SetBytes(4 << 10)
	runParallel(b, func(ctx context.Context) error {
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(benchBucket), Key: aws.String("bench"), Body: bytes.NewReader(data)})
		return err
	})
}

// BenchmarkPutObject4KiBNewKeys and ...NewKeysVersioned write a new key
// each time: the workload of uploads rather than overwrites, where a
// versioned bucket has no previous version to keep.
func BenchmarkPutObject4KiBNewKeys(b *testing.B)          { benchmarkPutNewKeys(b, false) }
func BenchmarkPutObject4KiBNewKeysVersioned(b *testing.B) { benchmarkPutNewKeys(b, true) }

func benchmarkPutNewKeys(b *testing.B, versioned bool) {
	env := testenv.Start(b)
	c := s3Client(env.URL)
	if versioned {
		enableBenchVersioning(b, c)
	}
	data := make([]byte, 4<<10)
	_, _ = rand.Read(data)
	b.SetBytes(4 << 10)
	var n atomic.Int64
	runParallel(b, func(ctx context.Context) error {
		key := fmt.Sprintf("new/%d", n.Add(1))
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(benchBucket), Key: aws.String(key), Body: bytes.NewReader(data)})
		return err
	})
}

// BenchmarkListObjectVersions100k pages with the SDK through 100,000
// versions (10,000 keys × 10 versions, one key in ten ending in a delete
// marker), 1,000 per page: one op is one page. The versions are written
// to the object directory before the server starts, so the first page
// (logged as "cold") includes the scan of every version file.
func BenchmarkListObjectVersions100k(b *testing.B) {
	dir := b.TempDir()
	seed, err := blob.Open(dir, blob.WithoutSync())
	if err != nil {
		b.Fatal(err)
	}
	if err := seed.CreateBucketDir(benchBucket); err != nil {
		b.Fatal(err)
	}
	for k := range 10_000 {
		key := fmt.Sprintf("dir%02d/key%05d", k%50, k)
		for v := range 10 {
			if v == 9 && k%10 == 0 {
				_, err = seed.PutDeleteMarker(benchBucket, key, blob.VersioningEnabled)
			} else {
				_, err = seed.PutVersion(benchBucket, key, bytes.NewReader([]byte(key)), blob.Meta{}, nil, blob.VersioningEnabled)
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	ctx := context.Background()
	var c *s3.Client
	page := func(in *s3.ListObjectVersionsInput) *s3.ListObjectVersionsOutput {
		out, err := c.ListObjectVersions(ctx, in)
		if err != nil {
			b.Fatal(err)
		}
		// Every page is full but the last, which also holds the objects
		// the demo world puts in the bucket.
		if n := len(out.Versions) + len(out.DeleteMarkers); n != 1000 && (aws.ToBool(out.IsTruncated) || n == 0 || n > 1000) {
			b.Fatalf("page of %d (truncated: %v)", n, aws.ToBool(out.IsTruncated))
		}
		return out
	}
	// The first page of a server just started scans every version file;
	// once the shards have been left alone (aged here) and scanned, the
	// next server starts from the scan caches.
	c = startOnBlobDir(b, dir)
	start := time.Now()
	page(&s3.ListObjectVersionsInput{Bucket: aws.String(benchBucket), MaxKeys: aws.Int32(1000)})
	b.Logf("cold: the first page after start took %v", time.Since(start))
	ageShardDirs(b, filepath.Join(dir, benchBucket))
	c = startOnBlobDir(b, dir)
	page(&s3.ListObjectVersionsInput{Bucket: aws.String(benchBucket), MaxKeys: aws.Int32(1000)}) // writes the caches
	c = startOnBlobDir(b, dir)
	start = time.Now()
	page(&s3.ListObjectVersionsInput{Bucket: aws.String(benchBucket), MaxKeys: aws.Int32(1000)})
	b.Logf("cold with scan caches: the first page after start took %v", time.Since(start))
	b.Run("page", func(b *testing.B) {
		in := &s3.ListObjectVersionsInput{Bucket: aws.String(benchBucket), MaxKeys: aws.Int32(1000)}
		for b.Loop() {
			out := page(in)
			in.KeyMarker, in.VersionIdMarker = out.NextKeyMarker, out.NextVersionIdMarker
			if !aws.ToBool(out.IsTruncated) {
				in.KeyMarker, in.VersionIdMarker = nil, nil
			}
		}
	})
}

// startOnBlobDir starts a server with the demo world on an existing object
// directory and returns a client of it.
func startOnBlobDir(b *testing.B, dir string) *s3.Client {
	st, err := sqlite.OpenMemory()
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	a, err := app.New(context.Background(), app.Config{Store: st, BlobDir: dir, Worlds: []*world.World{world.Demo()},
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(a.Close)
	srv := httptest.NewServer(a.Handler)
	b.Cleanup(srv.Close)
	return s3Client(srv.URL)
}

// ageShardDirs sets the shard directories' modification time an hour
// back, as if the bucket had been left alone that long.
func ageShardDirs(b *testing.B, bucketDir string) {
	entries, err := os.ReadDir(bucketDir)
	if err != nil {
		b.Fatal(err)
	}
	old := time.Now().Add(-time.Hour)
	for _, e := range entries {
		if e.IsDir() && len(e.Name()) == 2 {
			if err := os.Chtimes(filepath.Join(bucketDir, e.Name()), old, old); err != nil {
				b.Fatal(err)
			}
		}
	}
}
