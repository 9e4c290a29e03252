package sigv4

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// A full chunk costs its own size, and a chunk that stalls early costs
// about what arrived: the per-connection memory bound of issue 10 item 6.
func TestReadChunkHoldsNoMoreThanTheChunk(t *testing.T) {
	data := bytes.Repeat([]byte("x"), MaxChunkSize)
	buf, err := readChunk(bytes.NewReader(data), nil, len(data))
	if err != nil || !bytes.Equal(buf, data) {
		t.Fatalf("readChunk = %d bytes, %v", len(buf), err)
	}
	if cap(buf) > MaxChunkSize {
		t.Fatalf("capacity %d for a %d-byte chunk", cap(buf), MaxChunkSize)
	}

	buf, err = readChunk(bytes.NewReader(data[:1000]), nil, MaxChunkSize)
	if !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		t.Fatalf("short chunk: err = %v", err)
	}
	if cap(buf) > 2*chunkReadStep {
		t.Fatalf("a stalled 16 MiB chunk holds %d bytes after 1000 arrived", cap(buf))
	}
}
