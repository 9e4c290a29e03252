package blob

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"time"
)

// The header every stored file starts with; see the package documentation.
const (
	magic           = "SKOB"
	formatVersion   = 1
	fixedHeader     = 12      // magic, version, 3 reserved bytes, JSON length
	maxHeaderJSON   = 1 << 16 // refuse metadata (and trust no length) beyond this
	headerReadAhead = 2048    // one pread covers a typical header
)

// encodeHeader returns the header for v, its JSON padded with spaces to
// reserve bytes (reserve 0: no padding).
func encodeHeader(v any, reserve int) ([]byte, error) {
	js, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode header: %w", err)
	}
	if reserve == 0 {
		reserve = len(js)
	}
	if len(js) > reserve {
		return nil, fmt.Errorf("encode header: %d bytes of JSON exceed the %d reserved", len(js), reserve)
	}
	if reserve > maxHeaderJSON {
		return nil, fmt.Errorf("%w: metadata too large (%d bytes)", ErrInvalidArgument, reserve)
	}
	buf := make([]byte, fixedHeader+reserve)
	copy(buf, magic)
	buf[4] = formatVersion
	binary.BigEndian.PutUint32(buf[8:fixedHeader], uint32(reserve))
	n := copy(buf[fixedHeader:], js)
	copy(buf[fixedHeader+n:], bytes.Repeat([]byte{' '}, reserve-n))
	return buf, nil
}

// readHeader decodes the header of r into v and returns the offset of the
// body that follows it.
func readHeader(r io.ReaderAt, v any) (int64, error) {
	buf, err := readHeaderBytes(r)
	if err != nil {
		return 0, err
	}
	return decodeHeader(buf, v)
}

// readHeaderBytes reads the complete header (fixed part and JSON) at the
// start of r.
func readHeaderBytes(r io.ReaderAt) ([]byte, error) {
	return readHeaderInto(r, make([]byte, headerReadAhead))
}

// readHeaderInto is readHeaderBytes reading into buf (of headerReadAhead
// bytes) when the header fits, into a new slice when not.
func readHeaderInto(r io.ReaderAt, buf []byte) ([]byte, error) {
	n, err := r.ReadAt(buf, 0)
	if n < fixedHeader {
		return nil, fmt.Errorf("%w: short header: %v", ErrCorrupt, err)
	}
	return completeHeader(r, buf[:n])
}

// completeHeader returns the complete header at the start of r given its
// first bytes, read: read itself when it holds all of it, else read
// extended (in a new array) with the rest read from r.
func completeHeader(r io.ReaderAt, read []byte) ([]byte, error) {
	if len(read) < fixedHeader {
		return nil, fmt.Errorf("%w: short header", ErrCorrupt)
	}
	buf, n := read, len(read)
	end, err := headerEnd(buf)
	if err != nil {
		return nil, err
	}
	if end > n {
		buf = append(buf[:n], make([]byte, end-n)...)
		if _, err := r.ReadAt(buf[n:], int64(n)); err != nil {
			return nil, fmt.Errorf("%w: short header: %v", ErrCorrupt, err)
		}
	}
	return buf[:end], nil
}

// headerEnd checks the fixed part of a header at the start of buf and
// returns where the header ends (the body starts).
func headerEnd(buf []byte) (int, error) {
	if len(buf) < fixedHeader {
		return 0, fmt.Errorf("%w: short header", ErrCorrupt)
	}
	if string(buf[:4]) != magic || buf[4] != formatVersion {
		return 0, fmt.Errorf("%w: bad magic or version", ErrCorrupt)
	}
	size := int(binary.BigEndian.Uint32(buf[8:fixedHeader]))
	if size > maxHeaderJSON {
		return 0, fmt.Errorf("%w: header length %d", ErrCorrupt, size)
	}
	return fixedHeader + size, nil
}

// decodeHeader decodes the JSON of the complete header buf into v and
// returns the header's length.
func decodeHeader(buf []byte, v any) (int64, error) {
	if err := json.Unmarshal(buf[fixedHeader:], v); err != nil {
		return 0, fmt.Errorf("%w: header JSON: %v", ErrCorrupt, err)
	}
	return int64(len(buf)), nil
}

// Field values no real header exceeds, used to size the reserved space.
const worstParts = MaxParts

var worstTime = time.Date(9999, 12, 31, 23, 59, 59, 999e6, time.UTC)

func worstETag() string { return `"` + strings.Repeat("f", 32) + fmt.Sprintf("-%d", worstParts) + `"` }

// worstChecksums returns, for every algorithm, the longest value a header
// may hold: a composite checksum of the most parts.
func worstChecksums() map[Algorithm]string {
	out := make(map[Algorithm]string)
	for _, a := range AllAlgorithms() {
		raw := make([]byte, a.NewHash().Size())
		out[a] = base64.StdEncoding.EncodeToString(raw) + fmt.Sprintf("-%d", worstParts)
	}
	return out
}

// reserveInfo returns the JSON bytes to reserve for an object header whose
// caller-supplied fields are those of info: the length of info with every
// computed field at its longest.
func reserveInfo(info Info) (int, error) {
	info.Size = math.MaxInt64
	info.VersionID = strings.Repeat("f", versionIDLength)
	info.Seq = math.MaxInt64
	info.ETag = worstETag()
	info.LastModified = worstTime
	info.PartsCount = worstParts
	info.Checksums = worstChecksums()
	info.ChecksumType = ChecksumFullObject
	js, err := json.Marshal(info)
	if err != nil {
		return 0, fmt.Errorf("size header: %w", err)
	}
	return len(js), nil
}

// reservePart returns the JSON bytes to reserve for a part header.
func reservePart() int {
	js, _ := json.Marshal(PartInfo{
		PartNumber:   MaxParts,
		ETag:         worstETag(),
		Size:         math.MaxInt64,
		LastModified: worstTime,
		Checksums:    worstChecksums(),
	})
	return len(js)
}
