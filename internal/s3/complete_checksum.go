package s3

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"net/http"
	"strings"

	"github.com/sekisho/sekisho/internal/blob"
)

// checkWholeChecksum verifies the checksum of the whole object that a
// CompleteMultipartUpload may carry (x-amz-checksum-<alg>, with
// x-amz-checksum-type FULL_OBJECT or COMPOSITE "<base64>-N") before the
// object is assembled, so that a mismatch (BadDigest) leaves the upload
// as it was, as S3 does. It is computed from the stored parts' checksums:
// a composite one as S3 combines them, a full-object CRC by CRC
// combination. When the listed parts do not match the stored ones the
// check is left to CompleteUpload, which answers InvalidPart.
func (s *Service) checkWholeChecksum(req *Request, bucket, uploadID string, listed []blob.CompletedPart) *Error {
	alg, want := requestedWholeChecksum(req.HTTP.Header)
	if alg == "" {
		return nil
	}
	upload, found := s.findUpload(bucket, req.Key, uploadID)
	stored, err := s.blobs.ListParts(bucket, req.Key, uploadID)
	if !found || err != nil {
		return nil // CompleteUpload answers NoSuchUpload
	}
	parts, ok := listedParts(stored, listed)
	if !ok {
		return nil
	}
	for _, p := range parts {
		if p.Checksums[alg] == "" {
			return s3Errorf("InvalidRequest", "Checksum Type mismatch occurred, expected checksum Type: %s, actual checksum Type: %s",
				partAlgorithm(p), strings.ToLower(string(alg)))
		}
	}
	uploadType := uploadChecksumType(alg, upload.Meta.ChecksumType)
	declared := strings.ToUpper(req.HTTP.Header.Get("x-amz-checksum-type"))
	if declared != "" && declared != uploadType {
		return s3Errorf("BadDigest", "The %s you specified did not match the calculated checksum.", alg)
	}
	got := compositeOf(alg, parts)
	if uploadType == blob.ChecksumFullObject {
		got = fullObjectCRC(alg, parts)
	}
	if got == "" || got != want {
		return s3Errorf("BadDigest", "The %s you specified did not match the calculated checksum.", alg)
	}
	return nil
}

// requestedWholeChecksum returns the first x-amz-checksum-<alg> header.
func requestedWholeChecksum(h http.Header) (blob.Algorithm, string) {
	for _, alg := range blob.AllAlgorithms() {
		if v := h.Get("x-amz-checksum-" + strings.ToLower(string(alg))); v != "" {
			return alg, v
		}
	}
	return "", ""
}

// findUpload returns the upload uploadID of key, if it is in progress.
func (s *Service) findUpload(bucket, key, uploadID string) (blob.Upload, bool) {
	uploads, err := s.blobs.ListUploads(bucket, key)
	if err != nil {
		return blob.Upload{}, false
	}
	for _, u := range uploads {
		if u.UploadID == uploadID && u.Key == key {
			return u, true
		}
	}
	return blob.Upload{}, false
}

// listedParts returns the stored parts the request lists, in its order,
// or false when one is missing or has another ETag.
func listedParts(stored []blob.PartInfo, listed []blob.CompletedPart) ([]blob.PartInfo, bool) {
	byNumber := make(map[int]blob.PartInfo, len(stored))
	for _, p := range stored {
		byNumber[p.PartNumber] = p
	}
	out := make([]blob.PartInfo, 0, len(listed))
	for _, l := range listed {
		p, ok := byNumber[l.PartNumber]
		if !ok || strings.Trim(p.ETag, `"`) != strings.Trim(l.ETag, `"`) {
			return nil, false
		}
		out = append(out, p)
	}
	return out, true
}

// partAlgorithm names, as S3's message does, an algorithm a part was
// checksummed with ("null" for none).
func partAlgorithm(p blob.PartInfo) string {
	for _, a := range blob.AllAlgorithms() {
		if p.Checksums[a] != "" {
			return strings.ToLower(string(a))
		}
	}
	return "null"
}

// uploadChecksumType is how an upload combines algorithm a: CRC64NVME
// only whole, the others as declared at creation (COMPOSITE by default).
func uploadChecksumType(a blob.Algorithm, declared string) string {
	if a == blob.CRC64NVME || strings.EqualFold(declared, blob.ChecksumFullObject) {
		return blob.ChecksumFullObject
	}
	return blob.ChecksumComposite
}

// compositeOf is S3's composite checksum: the checksum of the parts' raw
// checksums, suffixed with the number of parts.
func compositeOf(a blob.Algorithm, parts []blob.PartInfo) string {
	h := a.NewHash()
	for _, p := range parts {
		raw, err := base64.StdEncoding.DecodeString(p.Checksums[a])
		if err != nil {
			return ""
		}
		h.Write(raw)
	}
	return fmt.Sprintf("%s-%d", base64.StdEncoding.EncodeToString(h.Sum(nil)), len(parts))
}

// fullObjectCRC combines the parts' CRCs into the CRC of their
// concatenation, or "" for an algorithm that is not a CRC.
//
// For these CRCs (initial value and final XOR all ones),
// crc(A‖B) = crc(B) XOR raw(crc(A), |B| zero bytes), where raw runs the
// CRC register without the initial and final complement.
func fullObjectCRC(a blob.Algorithm, parts []blob.PartInfo) string {
	var update func(crc uint64, p []byte) uint64
	width := 4
	switch a {
	case blob.CRC32:
		update = func(c uint64, p []byte) uint64 { return uint64(crc32.Update(uint32(c), crc32.IEEETable, p)) }
	case blob.CRC32C:
		table := crc32.MakeTable(crc32.Castagnoli)
		update = func(c uint64, p []byte) uint64 { return uint64(crc32.Update(uint32(c), table, p)) }
	case blob.CRC64NVME:
		update = blob.UpdateCRC64NVME
		width = 8
	default:
		return ""
	}
	mask := uint64(1)<<(8*width) - 1
	if width == 8 {
		mask = ^uint64(0)
	}
	zeros := make([]byte, 1<<20)
	var combined uint64
	for i, p := range parts {
		c, ok := decodeCRC(p.Checksums[a], width)
		if !ok {
			return ""
		}
		if i == 0 {
			combined = c
			continue
		}
		state := combined // raw(s, zeros) = ^update(^s, zeros)
		for left := p.Size; left > 0; left -= int64(len(zeros)) {
			n := min(left, int64(len(zeros)))
			state = ^update(^state&mask, zeros[:n]) & mask
		}
		combined = c ^ state
	}
	raw := make([]byte, 8)
	binary.BigEndian.PutUint64(raw, combined)
	return base64.StdEncoding.EncodeToString(raw[8-width:])
}

// crc64NVMEPoly is CRC-64/NVME's reversed polynomial, as blob uses it.
const crc64NVMEPoly = 0x9a6c9329ac4bc9b5

func decodeCRC(b64 string, width int) (uint64, bool) {
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(raw) != width {
		return 0, false
	}
	var v uint64
	for _, b := range raw {
		v = v<<8 | uint64(b)
	}
	return v, true
}
