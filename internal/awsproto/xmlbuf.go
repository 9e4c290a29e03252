package awsproto

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"sync"
)

// xmlBuffer is a response being rendered. encoding/xml wraps every writer
// it is given in a fresh 4 KiB bufio.Writer unless the writer already is
// one, so the buffer keeps its own bufio.Writer (over out) to hand to
// xml.NewEncoder: rendering a response then allocates no buffer at all.
type xmlBuffer struct {
	out bytes.Buffer
	bw  *bufio.Writer
}

// maxPooledXML keeps an unusually large response's buffer out of the pool,
// so a single big listing does not pin its memory for good.
const maxPooledXML = 64 << 10

var xmlBuffers = sync.Pool{New: func() any {
	b := &xmlBuffer{}
	b.bw = bufio.NewWriterSize(&b.out, 4096)
	return b
}}

func getXMLBuffer() *xmlBuffer {
	b := xmlBuffers.Get().(*xmlBuffer)
	b.out.Reset()
	b.bw.Reset(&b.out)
	return b
}

func putXMLBuffer(b *xmlBuffer) {
	if b.out.Cap() <= maxPooledXML {
		xmlBuffers.Put(b)
	}
}

// WriteString appends s.
func (b *xmlBuffer) WriteString(s string) {
	_, _ = b.bw.WriteString(s)
}

// Append appends a's own rendering of itself.
func (b *xmlBuffer) Append(a XMLAppender) {
	_, _ = b.bw.Write(a.AppendXML(b.bw.AvailableBuffer()))
}

// Encode appends v's XML encoding, as xml.Marshal would produce it.
func (b *xmlBuffer) Encode(v any) error {
	return xml.NewEncoder(b.bw).Encode(v)
}

// Bytes flushes and returns the rendered bytes, valid until the buffer
// goes back to the pool.
func (b *xmlBuffer) Bytes() []byte {
	_ = b.bw.Flush() // writes into a bytes.Buffer never fail
	return b.out.Bytes()
}
