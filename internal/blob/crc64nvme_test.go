package blob

import (
	"bytes"
	"hash/crc64"
	"math/rand/v2"
	"testing"
)

// The slicing implementation agrees with hash/crc64 at every length and
// split, and with CRC-64/NVME's check value.
func TestCRC64NVMEMatchesHashCRC64(t *testing.T) {
	if got := UpdateCRC64NVME(0, []byte("123456789")); got != 0xae8b14860a799888 {
		t.Fatalf("check value %#x", got)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 7, 8, 9, 63, 64, 2047, 2048, 4096, 100_000} {
		data := make([]byte, n)
		for i := range data {
			data[i] = byte(r.Uint32())
		}
		want := crc64.Checksum(data, crc64NVMETable)
		h := newCRC64NVME()
		split := n / 3
		h.Write(data[:split])
		h.Write(data[split:])
		if h.Sum64() != want || UpdateCRC64NVME(0, data) != want {
			t.Fatalf("n=%d: %#x / %#x, want %#x", n, h.Sum64(), UpdateCRC64NVME(0, data), want)
		}
		ref := crc64.New(crc64NVMETable)
		ref.Write(data)
		if !bytes.Equal(h.Sum(nil), ref.Sum(nil)) {
			t.Fatalf("n=%d: Sum %x, want %x", n, h.Sum(nil), ref.Sum(nil))
		}
	}
}

func BenchmarkCRC64NVME(b *testing.B) {
	data := make([]byte, 4<<10)
	b.Run("slicing", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		h := newCRC64NVME()
		for b.Loop() {
			h.Write(data)
		}
	})
	b.Run("hash-crc64", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		h := crc64.New(crc64NVMETable)
		for b.Loop() {
			h.Write(data)
		}
	})
}
