package s3

import (
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/sekisho/sekisho/internal/blob"
)

// TestFullObjectCRC: combining the parts' CRCs gives the CRC of the whole
// body, for every CRC S3 allows as FULL_OBJECT, and nothing for the SHAs.
func TestFullObjectCRC(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, sizes := range [][]int{{1}, {0, 7}, {5, 0, 3}, {1 << 20, 3<<20 + 5, 17}, {4096, 1, 65537}} {
		var whole []byte
		var parts []blob.PartInfo
		for i, n := range sizes {
			body := make([]byte, n)
			for j := range body {
				body[j] = byte(r.IntN(256))
			}
			whole = append(whole, body...)
			sums := map[blob.Algorithm]string{}
			for _, a := range blob.AllAlgorithms() {
				sums[a] = sum(a, body)
			}
			parts = append(parts, blob.PartInfo{PartNumber: i + 1, Size: int64(n), Checksums: sums})
		}
		for _, a := range []blob.Algorithm{blob.CRC32, blob.CRC32C, blob.CRC64NVME} {
			if got, want := fullObjectCRC(a, parts), sum(a, whole); got != want {
				t.Errorf("%s of parts %v: %s, want %s", a, sizes, got, want)
			}
		}
		for _, a := range []blob.Algorithm{blob.SHA1, blob.SHA256} {
			if got := fullObjectCRC(a, parts); got != "" {
				t.Errorf("%s full-object of parts %v: %q, want none", a, sizes, got)
			}
		}
	}
}

func sum(a blob.Algorithm, body []byte) string {
	h := a.NewHash()
	h.Write(body)
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// TestCompositeOf matches blob's composite checksum of an assembled upload.
func TestCompositeOf(t *testing.T) {
	parts := []blob.PartInfo{{Checksums: map[blob.Algorithm]string{blob.SHA256: sum(blob.SHA256, []byte("a"))}},
		{Checksums: map[blob.Algorithm]string{blob.SHA256: sum(blob.SHA256, []byte("b"))}}}
	h := blob.SHA256.NewHash()
	for _, p := range parts {
		raw, _ := base64.StdEncoding.DecodeString(p.Checksums[blob.SHA256])
		h.Write(raw)
	}
	want := fmt.Sprintf("%s-2", base64.StdEncoding.EncodeToString(h.Sum(nil)))
	if got := compositeOf(blob.SHA256, parts); got != want {
		t.Errorf("compositeOf: %s, want %s", got, want)
	}
	if got := compositeOf(blob.SHA256, []blob.PartInfo{{Checksums: map[blob.Algorithm]string{blob.SHA256: "!"}}}); got != "" {
		t.Errorf("compositeOf of a bad part checksum: %q", got)
	}
}
