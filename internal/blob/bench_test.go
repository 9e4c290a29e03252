package blob

import (
	"bytes"
	"fmt"
	"io"
	"testing"
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
				body := randomBytes(1, size)
				b.SetBytes(int64(size))
				i := 0
				for b.Loop() {
					i++
					if _, err := s.Put(testBucket, fmt.Sprint("k", i), bytes.NewReader(body), Meta{}, nil); err != nil {
						b.Fatal(err)
					}
				}
			})
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
