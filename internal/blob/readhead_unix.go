//go:build unix

package blob

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// readFileHead reads the first len(buf) bytes (fewer if the file is
// shorter) of the file at path with plain system calls. A scan opens every
// object file of a bucket, and os.Open's extra work per file (the
// non-blocking mode and poller bookkeeping a regular file never needs)
// would nearly double its cost.
func readFileHead(path string, buf []byte) (int, error) {
	var fd int
	err := retryEINTR(func() (err error) {
		fd, err = syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		return err
	})
	if err != nil {
		return 0, err
	}
	defer syscall.Close(fd)
	n := 0
	for n < len(buf) {
		var m int
		err := retryEINTR(func() (err error) {
			m, err = syscall.Pread(fd, buf[n:], int64(n))
			return err
		})
		if err != nil {
			return n, err
		}
		if m == 0 {
			break
		}
		n += m
	}
	return n, nil
}

// retryEINTR calls f until it fails with something other than EINTR.
func retryEINTR(f func() error) error {
	for {
		if err := f(); !errors.Is(err, syscall.EINTR) {
			return err
		}
	}
}

// headFile is a stored file opened for a read of its head: a bare
// descriptor, made an *os.File (file) only when the caller keeps it open.
// A small object is read whole by its first pread and closed at once, so
// a GET of it costs open, pread and close and no os.File (whose set-up
// adds an fcntl, a finalizer and allocations).
type headFile struct {
	fd   int
	path string
}

// openHead opens a stored file for reading its head.
func openHead(path string) (headFile, error) {
	var fd int
	err := retryEINTR(func() (err error) {
		fd, err = syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		return err
	})
	if err != nil {
		return headFile{}, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	return headFile{fd: fd, path: path}, nil
}

// preadOnce reads into buf from off with one pread (retried on EINTR):
// fewer bytes than len(buf) when the file ends first, 0 at its end.
func (h headFile) preadOnce(buf []byte, off int64) (int, error) {
	var n int
	err := retryEINTR(func() (err error) {
		n, err = syscall.Pread(h.fd, buf, off)
		return err
	})
	if err != nil {
		return 0, &fs.PathError{Op: "read", Path: h.path, Err: err}
	}
	return n, nil
}

// ReadAt reads len(p) bytes at off as os.File.ReadAt does (io.EOF when
// the file ends first).
func (h headFile) ReadAt(p []byte, off int64) (int, error) {
	n := 0
	for n < len(p) {
		m, err := h.preadOnce(p[n:], off+int64(n))
		if err != nil {
			return n, err
		}
		if m == 0 {
			return n, io.EOF
		}
		n += m
	}
	return n, nil
}

// size returns the file's length (fstat).
func (h headFile) size() (int64, error) {
	var st syscall.Stat_t
	if err := retryEINTR(func() error { return syscall.Fstat(h.fd, &st) }); err != nil {
		return 0, &fs.PathError{Op: "stat", Path: h.path, Err: err}
	}
	return st.Size, nil
}

// close closes a file that file was not called on.
func (h headFile) close() { syscall.Close(h.fd) }

// file hands the descriptor over to an *os.File, which the caller closes.
func (h headFile) file() *os.File { return os.NewFile(uintptr(h.fd), h.path) }
