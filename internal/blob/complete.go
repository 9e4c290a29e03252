package blob

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// CompleteUpload assembles the listed parts of an upload into bucket/key,
// replacing any object there, and returns its Info. It checks S3's rules:
// part numbers in 1..MaxParts (ErrInvalidArgument) and strictly ascending
// (ErrInvalidPartOrder); every part uploaded, with the given ETag and
// checksums (ErrInvalidPart, also for an empty list); every part but the
// last at least MinPartSize (ErrEntityTooSmall). A failed check leaves the
// upload as it was.
// The parts are streamed into a new object file (in-kernel copies when no
// full-object checksum must be computed), which is published like a Put;
// then the upload is removed. The ETag is "<md5 of the part MD5s>-N".
// CompleteUpload writes the "null" version, as Put does.
func (s *Store) CompleteUpload(bucket, key, uploadID string, parts []CompletedPart) (Info, error) {
	return s.CompleteUploadVersion(bucket, key, uploadID, parts, Unversioned)
}

// CompleteUploadVersion is CompleteUpload in a bucket whose versioning
// state (at completion) is v: the object becomes the latest version as
// PutVersion's does, and the Info holds its VersionID.
func (s *Store) CompleteUploadVersion(bucket, key, uploadID string, parts []CompletedPart, v Versioning) (Info, error) {
	return s.CompleteUploadIf(bucket, key, uploadID, parts, v, Precondition{})
}

// CompleteUploadIf is CompleteUploadVersion held to pre, checked against
// the key's current object at the moment the assembled object would
// replace it, as a conditional Put's (ErrPreconditionFailed, or
// ErrNoSuchKey for If-Match on a missing key); the upload then stays.
func (s *Store) CompleteUploadIf(bucket, key, uploadID string, parts []CompletedPart, v Versioning, pre Precondition) (Info, error) {
	info, err := s.complete(bucket, key, uploadID, parts, v, s.writeCondition(pre))
	if err != nil {
		return Info{}, opError("complete upload "+uploadID, bucket, key, err)
	}
	return info, nil
}

func (s *Store) complete(bucket, key, id string, parts []CompletedPart, v Versioning, check func(path string) error) (Info, error) {
	rec, err := s.loadUpload(bucket, key, id)
	if err != nil {
		return Info{}, err
	}
	if err := checkPartOrder(parts); err != nil {
		return Info{}, err
	}
	stored, err := s.matchParts(bucket, id, parts)
	if err != nil {
		return Info{}, s.uploadGoneOr(bucket, key, id, err)
	}
	if err := checkPartSizes(stored); err != nil {
		return Info{}, err
	}
	info, err := s.assemble(bucket, rec, stored, v, check)
	if err != nil {
		return Info{}, s.uploadGoneOr(bucket, key, id, err)
	}
	// The object is durable; a failure to remove the upload now would only
	// leave an upload the client can abort, so it is not reported.
	s.dropUpload(bucket, id)
	return info, nil
}

// uploadGoneOr explains a failure to read an upload's parts: when an
// abort (or the bucket's deletion) took the upload away meanwhile, the
// answer is that one (NoSuchUpload, NoSuchBucket), not a missing part.
func (s *Store) uploadGoneOr(bucket, key, id string, err error) error {
	if _, gone := s.loadUpload(bucket, key, id); gone != nil {
		return gone
	}
	return err
}

// checkPartOrder requires a non-empty list (ErrInvalidPart) of part numbers
// in 1..MaxParts (ErrInvalidArgument), strictly ascending
// (ErrInvalidPartOrder).
func checkPartOrder(parts []CompletedPart) error {
	if len(parts) == 0 {
		return fmt.Errorf("%w: no parts", ErrInvalidPart)
	}
	for i, p := range parts {
		if p.PartNumber < 1 || p.PartNumber > MaxParts {
			return fmt.Errorf("%w: part number %d is not 1 to %d", ErrInvalidArgument, p.PartNumber, MaxParts)
		}
		if i > 0 && p.PartNumber <= parts[i-1].PartNumber {
			return fmt.Errorf("%w: part %d after part %d", ErrInvalidPartOrder, p.PartNumber, parts[i-1].PartNumber)
		}
	}
	return nil
}

// matchParts reads the stored parts the list names and checks each one's
// ETag and given checksums.
func (s *Store) matchParts(bucket, id string, parts []CompletedPart) ([]PartInfo, error) {
	dir := s.uploadDir(bucket, id)
	out := make([]PartInfo, 0, len(parts))
	for _, want := range parts {
		p, err := readPart(dir, want.PartNumber)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%w: part %d was not uploaded", ErrInvalidPart, want.PartNumber)
		}
		if err != nil {
			return nil, err
		}
		if normalizeETag(want.ETag) != normalizeETag(p.ETag) {
			return nil, fmt.Errorf("%w: part %d has ETag %s, not %s", ErrInvalidPart, p.PartNumber, p.ETag, want.ETag)
		}
		for a, v := range want.Checksums {
			if v != "" && p.Checksums[a] != v {
				return nil, fmt.Errorf("%w: part %d checksum %s differs", ErrInvalidPart, p.PartNumber, a)
			}
		}
		out = append(out, p)
	}
	return out, nil
}

// checkPartSizes requires every part but the last to be at least
// MinPartSize, and the total at most MaxObjectSize.
func checkPartSizes(parts []PartInfo) error {
	var total int64
	for i, p := range parts {
		if i < len(parts)-1 && p.Size < MinPartSize {
			return fmt.Errorf("%w: part %d is %d bytes, under %d", ErrEntityTooSmall, p.PartNumber, p.Size, MinPartSize)
		}
		total += p.Size
	}
	if total > MaxObjectSize {
		return fmt.Errorf("%w: %d bytes", ErrEntityTooLarge, total)
	}
	return nil
}

// assemble streams the parts into a new object file and publishes it,
// unless check (when not nil) vetoes the publish.
func (s *Store) assemble(bucket string, rec uploadRecord, parts []PartInfo, v Versioning, check func(path string) error) (Info, error) {
	info := Info{Key: rec.Key, PartsCount: len(parts), PartSizes: make([]int64, len(parts)), Meta: rec.Meta.clone()}
	for i, p := range parts {
		info.PartSizes[i] = p.Size
	}
	info.WantChecksums = nil
	var full []Algorithm
	for _, a := range rec.Want {
		if checksumType(a, rec.Meta.ChecksumType) == ChecksumFullObject {
			full = append(full, a)
		}
	}
	reserve, err := reserveInfo(info)
	if err != nil {
		return Info{}, err
	}
	t, err := s.newTemp(bucket)
	if err != nil {
		return Info{}, err
	}
	defer t.discard()
	d := newDigester(false, full)
	if err := s.appendParts(t.f, d, s.uploadDir(bucket, rec.UploadID), int64(fixedHeader+reserve), parts); err != nil {
		return Info{}, err
	}
	if err := finishMultipart(&info, rec, parts, d.digests()); err != nil {
		return Info{}, err
	}
	if err := s.stampVersion(&info, v); err != nil {
		return Info{}, err
	}
	if err := s.sealAndPublish(bucket, t, &info, reserve, check); err != nil {
		return Info{}, err
	}
	info.IsLatest = true
	return info, nil
}

// finishMultipart fills in the size, ETag and checksums of an assembled
// object.
func finishMultipart(info *Info, rec uploadRecord, parts []PartInfo, d Digests) error {
	etag, err := multipartETag(parts)
	if err != nil {
		return err
	}
	info.Size, info.ETag = d.Size, etag
	if len(rec.Want) == 0 {
		return nil
	}
	info.Checksums = make(map[Algorithm]string, len(rec.Want))
	for _, a := range rec.Want {
		info.ChecksumType = checksumType(a, rec.Meta.ChecksumType)
		if info.ChecksumType == ChecksumFullObject {
			info.Checksums[a] = d.Base64(a)
		} else if v := compositeChecksum(a, parts); v != "" {
			info.Checksums[a] = v
		}
	}
	return nil
}

// appendParts writes the parts' bodies to dst from offset off, in order.
func (s *Store) appendParts(dst *os.File, d *digester, dir string, off int64, parts []PartInfo) error {
	if _, err := dst.Seek(off, io.SeekStart); err != nil {
		return fmt.Errorf("seek: %w", err)
	}
	for _, p := range parts {
		if err := s.appendPart(dst, d, filepath.Join(dir, partName(p.PartNumber)), p); err != nil {
			return err
		}
	}
	return nil
}

// appendPart appends one part's body to dst, first checking that the file
// is still the part that was validated (not replaced by a new upload of
// the same part number).
func (s *Store) appendPart(dst *os.File, d *digester, path string, want PartInfo) error {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return ErrNoSuchUpload // aborted or completed meanwhile
	}
	if err != nil {
		return err
	}
	defer f.Close()
	var p PartInfo
	off, err := readHeader(f, &p)
	if err != nil {
		return err
	}
	if p.ETag != want.ETag || p.Size != want.Size {
		return fmt.Errorf("%w: part %d changed during completion", ErrInvalidPart, p.PartNumber)
	}
	if _, err := f.Seek(off, io.SeekStart); err != nil {
		return fmt.Errorf("seek: %w", err)
	}
	return s.appendBody(dst, d, &io.LimitedReader{R: f, N: p.Size}, p.Size)
}

// appendBody copies exactly n bytes from src to dst: in-kernel when d has
// nothing to hash, through d otherwise.
func (s *Store) appendBody(dst *os.File, d *digester, src *io.LimitedReader, n int64) error {
	if d.hashes() {
		before := d.size
		if err := s.copyIn(dst, d, src, 0, MaxObjectSize); err != nil {
			return err
		}
		n -= d.size - before
	} else {
		got, err := dst.ReadFrom(src)
		if err != nil {
			return fmt.Errorf("copy part: %w", err)
		}
		d.size += got
		n -= got
	}
	if n != 0 {
		return fmt.Errorf("%w: part shorter than its header says", ErrCorrupt)
	}
	return nil
}
