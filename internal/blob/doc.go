// Package blob keeps S3 object bodies and their metadata on local disk, and
// makes each write visible atomically and durably: an object appears only
// once its body has been fully received, checked and fsynced, and an
// acknowledged write survives kill -9 or power loss.
//
// # Layout
//
// A [Store] owns one root directory (one process per root):
//
//	<root>/<bucket>/<ab>/<sha256hex(key)>   the key's current (latest) version
//	<root>/<bucket>/<ab>/<sha256hex(key)>.<versionID>   each noncurrent version
//	<root>/<bucket>/.uploads/<uploadID>/upload       multipart upload record
//	<root>/<bucket>/.uploads/<uploadID>/part-00001   one file per part
//	<root>/<bucket>/.tmp/                   bodies being received, and spares
//	<root>/<bucket>/.index/<ab>             scan cache of one shard (a hint)
//	<root>/<bucket>/.lock                   flock of Shared replicas
//	<root>/.trash-*                         deleted buckets being removed
//
// Object files are named by the hex SHA-256 of the key, so any key (up to
// 1,024 bytes of NUL-free UTF-8, including "/" and "..") maps to a safe name;
// the key itself is kept in the header. <ab> is the first two hex digits of
// that name: 256 shard directories per bucket, which keeps directories small
// for the buckets this store is meant for (up to a few hundred thousand
// objects) while keeping a full scan to a few hundred directory reads.
//
// # File format
//
// Every object, part and upload record is ONE file, so a single rename
// publishes body and metadata together:
//
//	"SKOB" | version (1 byte, 1) | 3 zero bytes | n (uint32, big-endian) |
//	n bytes of JSON, right-padded with spaces | body
//
// The JSON holds an [Info] (objects), a [PartInfo] (parts) or an upload
// record. Because size, ETag and checksums are known only after the body has
// been streamed, a writer reserves room for the longest JSON those fields can
// take, streams the body after it, then writes the header into the reserved
// space; the padding is JSON whitespace. A header takes about 400 bytes
// plus the key and the caller's metadata, so reading one costs a single
// 2 KiB pread.
//
// # Versions
//
// Every object file is one version of its key. Its header holds the
// version ID ("null", or 32 hex digits: 16 of Seq and 16 random), whether
// it is a delete marker (a body-less file), and Seq, which orders a key's
// versions (nanoseconds, strictly increasing within a root, across
// restarts and a clock set back, through the Seq watermark of seqmark.go;
// files from before versions had none and read as "null" with Seq from
// LastModified).
// The file named by the key's hash alone is always the latest version, so
// reading the latest object costs one open, versioned or not; an older
// version lives under "<hash>.<versionID>". The caller passes the bucket's
// [Versioning] state to each write:
//
//   - VersioningEnabled: a new version ID. The current file is first
//     hard-linked as "<hash>.<its ID>", then the new file is renamed over
//     it, so the old version is never without a name.
//   - Unversioned and VersioningSuspended: the "null" version. If the
//     current file is the null version the rename replaces it; otherwise
//     the current file is linked as above, the rename happens, and then a
//     noncurrent "<hash>.null" is removed.
//   - [Store.PutDeleteMarker] publishes a delete marker the same way.
//   - [Store.DeleteVersion] of a noncurrent version removes its file; of
//     the current one, renames the newest noncurrent file over it (one
//     atomic step) or removes it when none is left.
//
// Link, rename and remove all happen in the key's shard directory under
// the bucket lock, and one fsync of that directory after them makes the
// whole step durable. A crash can leave two kinds of leftovers, and every
// reader tolerates them: a noncurrent file with the current file's own
// version ID (a link made just before the rename, or an old null file not
// yet removed). The current file always wins: reads try it first for
// "null", scans drop such a file, the next write replaces it, and
// deleting that version removes it first.
//
// Reading the current file's version ID and renaming over it must not
// interleave with another writer's, or a version could lose its only name.
// Within a process the bucket lock orders them; in Shared mode each such
// step also holds an flock(2) on <bucket>/.lock, so replicas on one host
// (or NFS with lock support) are ordered too. Where flock is missing the
// cross-replica ordering is lost, and two replicas writing one key at the
// same instant may drop one version.
//
// # Write protocol
//
// A body streams through a fixed buffer into a temporary file under
// <bucket>/.tmp while its digests are computed; then the expected checksums
// and the caller's verify hook are checked, the header is written, the file
// is fsynced and renamed into place, and the directory is fsynced. Only then
// does the call return. A Put of the null version usually needs no
// directory fsync: it writes into a spare, an empty file of .tmp whose name
// is already durable, and should its rename be lost, Open redoes it from
// the complete file left in .tmp (spare.go); one fsync per object, plus one
// per 64 Puts for the next batch of spares. Concurrent writers into one directory share its
// fsync (group commit, commit.go): each waits for an fsync of the
// directory begun after its own rename, run by the last of the writers
// whose file fsyncs overlapped its own; a lone writer runs it at once. N
// such writers cost N+1 fsyncs instead of 2N. Any failure removes the temporary file; a crash
// leaves at most files under .tmp (and upload directories without their
// record), which [Open] removes. Concurrent writers to one key each rename a
// complete file, so the last rename wins and no object is ever torn; readers
// of the replaced file keep their open descriptor and read the old version.
//
// # Deleting a bucket
//
// [Store.DetachBucketDir] renames an empty bucket's directory into the
// root's trash in one step. Every publish is a rename by path into the
// bucket directory from a temporary file inside it, so a write either
// lands before the directory leaves (the delete then fails with
// ErrBucketNotEmpty: any version counts, noncurrent ones and delete
// markers included) or fails with ErrNoSuchBucket; a bucket created later
// under the name starts from a new directory and never sees an old object.
// Directory fsyncs after a publish use descriptors opened before the
// rename, so a delete right after a write cannot turn it into an error.
//
// # Listing
//
// [Store.List] and [Store.ListVersions] serve keys from an in-memory sorted
// index per bucket (each key with its versions, newest first), built on
// first use by scanning the headers of the bucket's version files (in
// parallel, reading only header bytes) and kept current by every write and
// delete of this process. In Shared mode every listing scans again. The
// index itself is never persisted, so it cannot disagree with the files
// after a crash: the files are the only truth. A scan costs one open, one
// pread and one close per object: about 55 ms for 10,000 objects on an
// idle 2-core VM. What a scan read of a shard directory is kept, as a
// hint, in <bucket>/.index/<ab>, stamped with the directory's
// modification time and a digest of its names; the next process's scan
// uses it for every shard whose stamp still matches (every change renames
// or removes an entry there, which moves the time) and that had been left
// alone for 5 s before the cache was written (timestamps are coarse); a
// missing, damaged or stale cache only means reading that shard's files.
// Later Lists are binary searches (about 0.5 ms for a page of 1,000; about
// 3-5 ms for a page of 1,000 of 100,000 versions on a 2-core VM, where
// the first scan of those 100,000 files took 1.1-2 s, and 0.17 s from the
// scan caches). The index costs roughly 250 bytes per
// version plus its key. Scans trust each header's Size; Get and Head also
// check it against the file's length (ErrCorrupt).
package blob
