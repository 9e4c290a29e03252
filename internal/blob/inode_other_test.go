//go:build !unix

package blob

import "os"

// haveInodes says whether fileInode can tell files apart.
const haveInodes = false

// fileInode is the inode number behind fi (none on this platform).
func fileInode(os.FileInfo) uint64 { return 0 }
