package blob

import (
	"bytes"
	"crypto/md5"
	"fmt"
	"hash"
	"io"
	"runtime"
	"testing"
)

// genReader produces size bytes cycling through a 64 KiB random block
// shifted by one byte per cycle, without ever holding the body, and checks
// heap use as it goes.
type genReader struct {
	block []byte
	off   int64
	size  int64
	heap  *heapWatch
}

func newGenReader(size int64, heap *heapWatch) *genReader {
	return &genReader{block: randomBytes(18, 64<<10), size: size, heap: heap}
}

func (g *genReader) Read(p []byte) (int, error) {
	if g.off >= g.size {
		return 0, io.EOF
	}
	n := 0
	for n < len(p) && g.off < g.size {
		l := int64(len(g.block))
		cycle, r := g.off/l, g.off%l
		i := (r + cycle) % l
		m := copy(p[n:], g.block[i:])
		m = int(min(int64(m), l-r, g.size-g.off))
		n, g.off = n+m, g.off+int64(m)
	}
	g.heap.tick(int64(n))
	return n, nil
}

// heapWatch samples HeapInuse every 8 MiB of data.
type heapWatch struct {
	since, peak int64
}

func (h *heapWatch) tick(n int64) {
	h.since += n
	if h.since < 8<<20 {
		return
	}
	h.since = 0
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	h.peak = max(h.peak, int64(m.HeapInuse))
}

// hashSink hashes what is written and watches the heap.
type hashSink struct {
	h    hash.Hash
	heap *heapWatch
}

func (s hashSink) Write(p []byte) (int, error) {
	s.heap.tick(int64(len(p)))
	return s.h.Write(p)
}

func TestStreamingConstantMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 200 MB")
	}
	const size = 200 << 20
	s, _ := newStore(t, WithoutSync())
	runtime.GC()
	var put heapWatch
	want := md5.New()
	io.Copy(want, newGenReader(size, &heapWatch{}))
	info, err := s.Put(testBucket, "big", newGenReader(size, &put), Meta{WantChecksums: []Algorithm{CRC32C}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if info.Size != size || info.ETag != fmt.Sprintf(`"%x"`, want.Sum(nil)) {
		t.Fatalf("stored size %d, ETag %s", info.Size, info.ETag)
	}
	var get heapWatch
	_, body, err := s.Get(testBucket, "big")
	if err != nil {
		t.Fatal(err)
	}
	defer body.Close()
	got := hashSink{h: md5.New(), heap: &get}
	if _, err := io.Copy(got, body); err != nil || !bytes.Equal(got.h.Sum(nil), want.Sum(nil)) {
		t.Fatalf("read back: %v", err)
	}
	t.Logf("peak HeapInuse: Put %d KiB, Get %d KiB", put.peak>>10, get.peak>>10)
	if put.peak > 32<<20 || get.peak > 32<<20 {
		t.Fatalf("heap grew past 32 MiB: Put %d, Get %d", put.peak, get.peak)
	}
}
