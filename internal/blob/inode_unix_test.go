//go:build unix

package blob

import (
	"os"
	"syscall"
)

// haveInodes says whether fileInode can tell files apart.
const haveInodes = true

// fileInode is the inode number behind fi.
func fileInode(fi os.FileInfo) uint64 { return uint64(fi.Sys().(*syscall.Stat_t).Ino) }
