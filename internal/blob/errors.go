package blob

import (
	"errors"
	"fmt"
)

// Errors the store returns, wrapped with the operation, bucket and key, so
// callers test them with errors.Is and map them to S3 error codes.
var (
	ErrNoSuchBucket       = errors.New("no such bucket")               // NoSuchBucket: the bucket directory does not exist
	ErrNoSuchKey          = errors.New("no such key")                  // NoSuchKey
	ErrNoSuchUpload       = errors.New("no such upload")               // NoSuchUpload (also: upload of another key)
	ErrInvalidPart        = errors.New("invalid part")                 // InvalidPart: unknown part, ETag or checksum mismatch, no parts
	ErrInvalidPartOrder   = errors.New("invalid part order")           // InvalidPartOrder: part numbers not strictly ascending
	ErrEntityTooSmall     = errors.New("entity too small")             // EntityTooSmall: a part other than the last is under MinPartSize
	ErrEntityTooLarge     = errors.New("entity too large")             // EntityTooLarge: body over MaxPutSize, object over MaxObjectSize
	ErrBucketNotEmpty     = errors.New("bucket not empty")             // BucketNotEmpty: objects or uploads remain
	ErrKeyTooLong         = errors.New("key too long")                 // KeyTooLongError: over MaxKeyLength bytes
	ErrInvalidKey         = errors.New("invalid key")                  // empty, NUL byte or invalid UTF-8
	ErrInvalidBucketName  = errors.New("invalid bucket name")          // InvalidBucketName: not a safe directory name
	ErrInvalidArgument    = errors.New("invalid argument")             // InvalidArgument: part number, checksum algorithm, metadata size
	ErrBadDigest          = errors.New("checksum does not match body") // BadDigest: a given checksum differs from the computed one
	ErrCorrupt            = errors.New("corrupt file")                 // a stored file fails its format checks (internal error)
	ErrPreconditionFailed = errors.New("precondition failed")          // PreconditionFailed: a conditional Put's If-Match or If-None-Match
	ErrNoSuchVersion      = errors.New("no such version")              // NoSuchVersion (404); for DeleteVersion S3 answers 204 instead
	ErrInvalidVersionID   = errors.New("invalid version id")           // InvalidArgument (400) "Invalid version id specified"
	ErrDeleteMarker       = errors.New("version is a delete marker")   // alone: MethodNotAllowed (405); with ErrNoSuchKey: 404 + x-amz-delete-marker
)

// opError wraps err with the operation and the object it concerned.
func opError(op, bucket, key string, err error) error {
	if key == "" {
		return fmt.Errorf("blob: %s %s: %w", op, bucket, err)
	}
	return fmt.Errorf("blob: %s %s/%q: %w", op, bucket, key, err)
}
