package blob

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"
)

var benchSizes = []int{4 << 10, 1 << 20}

func sizeName(n int) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%dMiB", n>>20)
	}
	return fmt.Sprintf("%dKiB", n>>10)
}

// BenchmarkPut measures durable Puts (file and directory fsynced) of new
// keys, and the same without fsync.
func BenchmarkPut(b *testing.B) {
	for _, size := range benchSizes {
		for _, sync := range []bool{true, false} {
			name := sizeName(size)
			var opts []Option
			if !sync {
				name += "/nosync"
				opts = append(opts, WithoutSync())
			}
			b.Run(name, func(b *testing.B) {
				s, _ := newStore(b, opts...)
				fsyncs := countAllFsyncs(s)
				body := randomBytes(1, size)
				b.SetBytes(int64(size))
				i := 0
				for b.Loop() {
					i++
					if _, err := s.Put(testBucket, fmt.Sprint("k", i), bytes.NewReader(body), Meta{}, nil); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(fsyncs.Load())/float64(b.N), "fsyncs/op")
			})
		}
	}
}

// countAllFsyncs counts s's fsyncs, of files and directories alike.
func countAllFsyncs(s *Store) *atomic.Int64 {
	n := new(atomic.Int64)
	s.fsync = func(f *os.File) error { n.Add(1); return f.Sync() }
	return n
}

// BenchmarkPutConcurrent measures durable 4 KiB Puts of new keys by 8
// goroutines at once, into one shard directory or into any, and reports
// the fsyncs each Put cost (2 without group commit).
func BenchmarkPutConcurrent(b *testing.B) {
	for _, oneShard := range []bool{true, false} {
		name := "any-shard"
		if oneShard {
			name = "one-shard"
		}
		b.Run(name, func(b *testing.B) {
			s, _ := newStore(b)
			keys, _ := keysInShard("p/", 1)
			mustPut(b, s, keys[0], nil) // creates the shard
			body := randomBytes(1, 4<<10)
			var next atomic.Int64
			fsyncs := countAllFsyncs(s)
			b.SetBytes(int64(len(body)))
			b.SetParallelism(4) // 8 goroutines on 2 CPUs
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := next.Add(1)
					key := fmt.Sprint("k", i)
					if oneShard {
						key = shardKey(i)
					}
					if _, err := s.Put(testBucket, key, bytes.NewReader(body), Meta{}, nil); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.ReportMetric(float64(fsyncs.Load())/float64(b.N), "fsyncs/op")
		})
	}
}

// shardKey returns a key of write i in the shard of keysInShard("p/", 1).
func shardKey(i int64) string {
	want, _ := objectName("p/0")
	for j := 0; ; j++ {
		k := fmt.Sprintf("p/%d/%d", i, j)
		if shard, _ := objectName(k); shard == want {
			return k
		}
	}
}

// BenchmarkGet measures opening an object and reading its whole body.
func BenchmarkGet(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(sizeName(size), func(b *testing.B) {
			s, _ := newStore(b, WithoutSync())
			mustPut(b, s, "k", randomBytes(1, size))
			buf := make([]byte, 256<<10)
			b.SetBytes(int64(size))
			for b.Loop() {
				_, body, err := s.Get(testBucket, "k")
				if err != nil {
					b.Fatal(err)
				}
				if _, err := io.CopyBuffer(io.Discard, body, buf); err != nil {
					b.Fatal(err)
				}
				body.Close()
			}
		})
	}
}

// BenchmarkPutVersioned is BenchmarkPut on a bucket with versioning
// enabled: every Put adds a version with a new ID.
func BenchmarkPutVersioned(b *testing.B) {
	for _, sync := range []bool{true, false} {
		name := "4KiB"
		var opts []Option
		if !sync {
			name += "/nosync"
			opts = append(opts, WithoutSync())
		}
		b.Run(name, func(b *testing.B) {
			s, _ := newStore(b, opts...)
			body := randomBytes(1, 4<<10)
			b.SetBytes(int64(len(body)))
			i := 0
			for b.Loop() {
				i++
				if _, err := s.PutVersion(testBucket, fmt.Sprint("k", i), bytes.NewReader(body), Meta{}, nil, VersioningEnabled); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkOverwrite measures 4 KiB Puts over 100 existing keys, one at a
// time: unversioned (each replaces the null version; written in a spare,
// one fsync) and versioned (each keeps the version it supersedes as a
// noncurrent file; file and directory fsynced). It reports fsyncs per Put.
func BenchmarkOverwrite(b *testing.B) {
	for _, v := range []Versioning{Unversioned, VersioningEnabled} {
		for _, sync := range []bool{true, false} {
			name := map[Versioning]string{Unversioned: "unversioned", VersioningEnabled: "versioned"}[v]
			var opts []Option
			if !sync {
				name += "/nosync"
				opts = append(opts, WithoutSync())
			}
			b.Run(name, func(b *testing.B) {
				s, _ := newStore(b, opts...)
				body := randomBytes(1, 4<<10)
				b.SetBytes(int64(len(body)))
				for i := range 100 {
					if _, err := s.PutVersion(testBucket, fmt.Sprint("k", i), bytes.NewReader(body), Meta{}, nil, v); err != nil {
						b.Fatal(err)
					}
				}
				fsyncs := countAllFsyncs(s)
				i := 0
				for b.Loop() {
					i++
					if _, err := s.PutVersion(testBucket, fmt.Sprint("k", i%100), bytes.NewReader(body), Meta{}, nil, v); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(fsyncs.Load())/float64(b.N), "fsyncs/op")
			})
		}
	}
}

// BenchmarkGetVersioned is BenchmarkGet/4KiB on a key with 10 versions:
// the latest (no version ID), the latest by its ID, and a noncurrent one.
func BenchmarkGetVersioned(b *testing.B) {
	s, _ := newStore(b, WithoutSync())
	var ids []string
	for i := range 10 {
		ids = append(ids, putV(b, s, "k", randomBytes(uint64(i), 4<<10), VersioningEnabled).VersionID)
	}
	buf := make([]byte, 256<<10)
	for _, c := range []struct{ name, id string }{{"latest", ""}, {"latestByID", ids[9]}, {"noncurrent", ids[3]}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(4 << 10)
			for b.Loop() {
				_, body, err := s.GetVersion(testBucket, "k", c.id)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := io.CopyBuffer(io.Discard, body, buf); err != nil {
					b.Fatal(err)
				}
				body.Close()
			}
		})
	}
}

// BenchmarkListVersions100k pages through 100,000 versions (10,000 keys
// with 10 versions each, one in ten a delete marker) 1,000 at a time: one
// op is one page. "cold" is the first page of a freshly opened store,
// which scans every version file's header first; "cold-cached" the same
// once the shards have been left alone and their scan caches written.
func BenchmarkListVersions100k(b *testing.B) {
	s, root := newStore(b, WithoutSync())
	for k := range 10_000 {
		key := fmt.Sprintf("dir%02d/key%05d", k%50, k)
		for v := range 10 {
			var err error
			if v == 9 && k%10 == 0 {
				_, err = s.PutDeleteMarker(testBucket, key, VersioningEnabled)
			} else {
				_, err = s.PutVersion(testBucket, key, bytes.NewReader([]byte(key)), Meta{}, nil, VersioningEnabled)
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("page", func(b *testing.B) {
		q := VersionQuery{MaxKeys: 1000}
		pages := 0
		for b.Loop() {
			p, err := s.ListVersions(testBucket, q)
			if err != nil || len(p.Versions) != 1000 {
				b.Fatalf("page of %d: %v", len(p.Versions), err)
			}
			pages++
			q.KeyMarker, q.VersionIDMarker = p.NextKeyMarker, p.NextVersionIDMarker
			if !p.Truncated {
				q.KeyMarker, q.VersionIDMarker = "", ""
			}
		}
	})
	coldPage := func(b *testing.B) {
		fresh, err := Open(root, WithoutSync())
		if err != nil {
			b.Fatal(err)
		}
		if p, err := fresh.ListVersions(testBucket, VersionQuery{MaxKeys: 1000}); err != nil || len(p.Versions) != 1000 {
			b.Fatal(err)
		}
	}
	b.Run("cold-cached", func(b *testing.B) {
		old := time.Now().Add(-time.Hour)
		shards, err := shardDirsIn(filepath.Join(root, testBucket))
		if err != nil {
			b.Fatal(err)
		}
		for _, d := range shards {
			if err := os.Chtimes(d, old, old); err != nil {
				b.Fatal(err)
			}
		}
		coldPage(b) // writes the caches
		for b.Loop() {
			coldPage(b)
		}
	})
	b.Run("cold", func(b *testing.B) {
		for b.Loop() {
			if err := os.RemoveAll(filepath.Join(root, testBucket, indexDir)); err != nil {
				b.Fatal(err)
			}
			fresh, err := Open(root, WithoutSync())
			if err != nil {
				b.Fatal(err)
			}
			if p, err := fresh.ListVersions(testBucket, VersionQuery{MaxKeys: 1000}); err != nil || len(p.Versions) != 1000 {
				b.Fatal(err)
			}
		}
	})
}
