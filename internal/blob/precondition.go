package blob

import (
	"errors"
	"io/fs"
)

// Precondition holds a write or a delete to the key's current object, as
// S3's conditional requests do. It is checked under the bucket lock at the
// moment of the change, so no other write can slip between the check and
// the change.
type Precondition struct {
	IfNoneMatch bool   // If-None-Match "*": no current object may exist
	IfMatch     string // If-Match: the current object's ETag, or "*" for any
}

// DeleteCurrentIf removes key's current object as S3's DeleteObject
// without a version ID does in a bucket whose versioning state is v: the
// null version goes in an unversioned bucket, otherwise a delete marker
// becomes the latest version (its Info is returned). With an ifMatch
// other than "" the change happens only while the current object, not a
// delete marker, has that ETag ("*": any), else ErrPreconditionFailed; a
// key with no current object is deleted as without the condition.
func (s *Store) DeleteCurrentIf(bucket, key string, v Versioning, ifMatch string) (Info, error) {
	if v != Unversioned {
		info, err := s.putDeleteMarker(bucket, key, v, s.deleteCondition(key, ifMatch))
		if err != nil {
			return Info{}, opError("put delete marker", bucket, key, err)
		}
		return info, nil
	}
	var check func(Info, error) error
	if ifMatch != "" {
		check = func(cur Info, err error) error { return deletable(cur, err, ifMatch) }
	}
	_, err := s.deleteVersion(bucket, key, NullVersion, check)
	if err != nil && !errors.Is(err, ErrNoSuchVersion) {
		return Info{}, opError("delete", bucket, key, err)
	}
	return Info{}, nil
}

// deleteCondition is the publish check of a delete marker held to ifMatch.
func (s *Store) deleteCondition(key, ifMatch string) func(path string) error {
	if ifMatch == "" {
		return nil
	}
	return func(path string) error {
		cur, err := s.readVersionHeader(path, key)
		return deletable(cur, err, ifMatch)
	}
}

// deletable applies a conditional delete's If-Match to the current
// version cur (err: the failure to read it).
func deletable(cur Info, err error, ifMatch string) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return err
	case cur.DeleteMarker, ifMatch == "*":
		return nil
	case normalizeETag(cur.ETag) != normalizeETag(ifMatch):
		return ErrPreconditionFailed
	}
	return nil
}
