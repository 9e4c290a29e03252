//go:build !unix

package blob

import (
	"errors"
	"io"
	"os"
)

// readFileHead reads the first len(buf) bytes (fewer if the file is
// shorter) of the file at path.
func readFileHead(path string, buf []byte) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	n, err := f.ReadAt(buf, 0)
	if errors.Is(err, io.EOF) {
		err = nil
	}
	return n, err
}

// headFile is a stored file opened for a read of its head.
type headFile struct{ f *os.File }

// openHead opens a stored file for reading its head.
func openHead(path string) (headFile, error) {
	f, err := os.Open(path)
	return headFile{f: f}, err
}

// preadOnce reads into buf from off: fewer bytes than len(buf) when the
// file ends first, 0 at its end.
func (h headFile) preadOnce(buf []byte, off int64) (int, error) {
	n, err := h.f.ReadAt(buf, off)
	if errors.Is(err, io.EOF) {
		err = nil
	}
	return n, err
}

// ReadAt is os.File.ReadAt.
func (h headFile) ReadAt(p []byte, off int64) (int, error) { return h.f.ReadAt(p, off) }

// size returns the file's length.
func (h headFile) size() (int64, error) {
	fi, err := h.f.Stat()
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}

// close closes a file that file was not called on.
func (h headFile) close() { h.f.Close() }

// file returns the open file, which the caller closes.
func (h headFile) file() *os.File { return h.f }
