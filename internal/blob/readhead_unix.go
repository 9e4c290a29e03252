//go:build unix

package blob

import (
	"errors"
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

// openRegular opens a stored file for reading like os.Open, without
// os.Open's non-blocking mode and poller registration, which a regular
// file never uses (epoll refuses it) and which cost four extra system
// calls on every GET.
func openRegular(path string) (*os.File, error) {
	var fd int
	err := retryEINTR(func() (err error) {
		fd, err = syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		return err
	})
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	return os.NewFile(uintptr(fd), path), nil
}
