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

// openRegular opens a stored file for reading.
func openRegular(path string) (*os.File, error) { return os.Open(path) }
