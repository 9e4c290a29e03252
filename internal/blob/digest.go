package blob

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash"
	"hash/crc32"
	"hash/crc64"
	"io"
	"slices"
	"strings"
)

// Algorithm names an S3 additional checksum algorithm, spelled as in the
// x-amz-checksum-algorithm header and the x-amz-checksum-<lowercase> headers.
type Algorithm string

// The checksum algorithms S3 supports.
const (
	CRC32     Algorithm = "CRC32"
	CRC32C    Algorithm = "CRC32C"
	CRC64NVME Algorithm = "CRC64NVME"
	SHA1      Algorithm = "SHA1"
	SHA256    Algorithm = "SHA256"
)

// Checksum types, as in x-amz-checksum-type.
const (
	ChecksumFullObject = "FULL_OBJECT" // the checksum of the whole body
	ChecksumComposite  = "COMPOSITE"   // the checksum of the parts' checksums, suffixed "-N"
)

// crc64NVMEPoly is CRC-64/NVME's polynomial in the reversed (LSB-first) form
// hash/crc64 expects; with crc64's built-in complement on entry and exit it
// gives init ^0 and xorout ^0, so CRC-64/NVME("123456789") = 0xae8b14860a799888.
const crc64NVMEPoly = 0x9a6c9329ac4bc9b5

// Tables built once and never modified.
var (
	castagnoliTable = crc32.MakeTable(crc32.Castagnoli)
	crc64NVMETable  = crc64.MakeTable(crc64NVMEPoly)
)

// AllAlgorithms returns every supported algorithm, in a fixed order.
func AllAlgorithms() []Algorithm {
	return []Algorithm{CRC32, CRC32C, CRC64NVME, SHA1, SHA256}
}

// ParseAlgorithm returns the algorithm named s, ignoring case ("crc32c",
// "SHA256"), and whether it is one S3 supports.
func ParseAlgorithm(s string) (Algorithm, bool) {
	a := Algorithm(strings.ToUpper(s))
	return a, a.Valid()
}

// Valid reports whether a is a supported algorithm.
func (a Algorithm) Valid() bool { return slices.Contains(AllAlgorithms(), a) }

// NewHash returns a fresh hash computing a; its Sum is the big-endian raw
// checksum S3 base64-encodes. It panics on an invalid algorithm.
func (a Algorithm) NewHash() hash.Hash {
	switch a {
	case CRC32:
		return crc32.NewIEEE()
	case CRC32C:
		return crc32.New(castagnoliTable)
	case CRC64NVME:
		return newCRC64NVME()
	case SHA1:
		return sha1.New()
	case SHA256:
		return sha256.New()
	}
	panic(fmt.Sprintf("blob: unknown checksum algorithm %q", string(a)))
}

// Digests are what was computed over a body while it streamed to disk.
type Digests struct {
	Size int64                // bytes received
	MD5  []byte               // raw MD5; nil when not computed
	Sums map[Algorithm][]byte // raw checksums of the requested algorithms
}

// ETag returns the quoted hex MD5 S3 uses as a simple object's ETag, or ""
// when MD5 was not computed.
func (d Digests) ETag() string {
	if d.MD5 == nil {
		return ""
	}
	return `"` + hex.EncodeToString(d.MD5) + `"`
}

// Base64 returns the base64 checksum a, as S3 headers carry it, or "" when
// a was not computed.
func (d Digests) Base64(a Algorithm) string {
	raw, ok := d.Sums[a]
	if !ok {
		return ""
	}
	return base64.StdEncoding.EncodeToString(raw)
}

// digester computes MD5 (optionally) and a set of checksums over what is
// written to it. Digests that were not asked for cost nothing.
type digester struct {
	size int64
	md5  hash.Hash
	sums map[Algorithm]hash.Hash
	w    io.Writer // all the hashes, or nil when there are none
}

func newDigester(withMD5 bool, algs []Algorithm) *digester {
	d := &digester{sums: make(map[Algorithm]hash.Hash, len(algs))}
	var ws []io.Writer
	if withMD5 {
		d.md5 = md5.New()
		ws = append(ws, d.md5)
	}
	for _, a := range algs {
		h := a.NewHash()
		d.sums[a] = h
		ws = append(ws, h)
	}
	if len(ws) > 0 {
		d.w = io.MultiWriter(ws...)
	}
	return d
}

// hashes reports whether the digester computes anything beyond the size.
func (d *digester) hashes() bool { return d.w != nil }

// Write hashes p; it never fails.
func (d *digester) Write(p []byte) (int, error) {
	d.size += int64(len(p))
	if d.w != nil {
		d.w.Write(p)
	}
	return len(p), nil
}

func (d *digester) digests() Digests {
	out := Digests{Size: d.size, Sums: make(map[Algorithm][]byte, len(d.sums))}
	if d.md5 != nil {
		out.MD5 = d.md5.Sum(nil)
	}
	for a, h := range d.sums {
		out.Sums[a] = h.Sum(nil)
	}
	return out
}

// checkExpected compares the non-empty expected base64 checksums with the
// computed ones.
func checkExpected(d Digests, expect map[Algorithm]string) error {
	for a, want := range expect {
		if want == "" {
			continue
		}
		if got := d.Base64(a); got != want {
			return fmt.Errorf("%w: %s %s given, %s computed", ErrBadDigest, a, want, got)
		}
	}
	return nil
}

// algorithmsFor returns the sorted, de-duplicated union of want and the
// algorithms named in expect, refusing unknown names.
func algorithmsFor(want []Algorithm, expect map[Algorithm]string) ([]Algorithm, error) {
	out := slices.Clone(want)
	for a := range expect {
		out = append(out, a)
	}
	for _, a := range out {
		if !a.Valid() {
			return nil, fmt.Errorf("%w: unknown checksum algorithm %q", ErrInvalidArgument, string(a))
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// normalizeETag strips an ETag's quotes and lowercases it, for comparing
// the ETags clients send back with the stored ones.
func normalizeETag(s string) string {
	return strings.ToLower(strings.Trim(strings.TrimSpace(s), `"`))
}
