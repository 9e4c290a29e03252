package s3

// Bucket versioning as S3 has it: the bucket's state (a bucket setting),
// version IDs on writes and reads, delete markers, and the versioned
// variants of the object operations.

import (
	"context"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/sekisho/sekisho/internal/blob"
	"github.com/sekisho/sekisho/internal/store"
)

// Versioning statuses as stored in the versioning bucket setting and
// written in VersioningConfiguration.
const (
	statusEnabled   = "Enabled"
	statusSuspended = "Suspended"
)

// parseVersioning reads the stored status ("" when never set).
func parseVersioning(status string) blob.Versioning {
	switch status {
	case statusEnabled:
		return blob.VersioningEnabled
	case statusSuspended:
		return blob.VersioningSuspended
	}
	return blob.Unversioned
}

// bucketVersioning is bucket's versioning state.
func (s *Service) bucketVersioning(ctx context.Context, bucket string) (blob.Versioning, *Error) {
	gen, err := s.store.Generation(ctx)
	if err != nil {
		return 0, s.storeError(err, bucket)
	}
	if v, ok := s.vstates.get(gen, bucket); ok {
		return v, nil
	}
	var v blob.Versioning
	err = s.store.View(ctx, func(tx store.Tx) error {
		var err error
		v, err = readVersioning(tx, bucket)
		return err
	})
	if e := s.storeError(err, bucket); e != nil {
		return 0, e
	}
	s.vstates.put(gen, bucket, v)
	return v, nil
}

// versioningSetting is the bucket setting holding the versioning status
// ("Enabled" or "Suspended"; unset: never versioned).
const versioningSetting = "versioning"

// readVersioning is the bucket's stored versioning state.
func readVersioning(tx store.Tx, bucket string) (blob.Versioning, error) {
	status, err := tx.GetBucketSetting(bucket, versioningSetting)
	if errors.Is(err, store.ErrNotFound) {
		return blob.Unversioned, nil
	}
	return parseVersioning(status), err
}

// requestVersion reads ?versionId=: named reports whether it was given
// (even as "null"); an empty one is refused, as S3 refuses it.
func requestVersion(req *Request) (id string, named bool, e *Error) {
	q := req.query()
	if !q.Has("versionId") {
		return "", false, nil
	}
	id = q.Get("versionId")
	if id == "" {
		return "", true, errInvalidArgument("Version id cannot be the empty string").with("ArgumentName", "versionId").with("ArgumentValue", id)
	}
	return id, true, nil
}

// withVersionKey adds s3:VersionId, set when a request names a version.
func withVersionKey(extra map[string][]string, id string, named bool) map[string][]string {
	if !named {
		return extra
	}
	out := make(map[string][]string, len(extra)+1)
	for k, v := range extra {
		out[k] = v
	}
	out["s3:VersionId"] = []string{id}
	return out
}

// errInvalidVersion is S3's answer to a version ID it never issues.
func errInvalidVersion(id string) *Error {
	return errInvalidArgument("Invalid version id specified").with("ArgumentName", "versionId").with("ArgumentValue", id)
}

// missingVersion reports whether err says a read found no such object
// version (a missing key or version, or a delete marker): answers that
// reveal existence, given only to callers who may list the bucket.
func missingVersion(err error) bool {
	return errors.Is(err, blob.ErrNoSuchKey) || errors.Is(err, blob.ErrNoSuchVersion) || errors.Is(err, blob.ErrDeleteMarker)
}

// versionReadError maps a read's missing object: 404 NoSuchVersion, 405
// for a delete marker named by ID, 404 NoSuchKey (with the marker's
// headers when the latest version is a delete marker). Headers go on w,
// where the error document is written next.
func versionReadError(w http.ResponseWriter, req *Request, info blob.Info, id string, err error) *Error {
	h := w.Header()
	switch {
	case errors.Is(err, blob.ErrInvalidVersionID):
		return errInvalidVersion(id)
	case errors.Is(err, blob.ErrNoSuchVersion):
		return s3Error("NoSuchVersion").with("Key", req.Key).with("VersionId", id)
	case errors.Is(err, blob.ErrDeleteMarker) && !errors.Is(err, blob.ErrNoSuchKey):
		h.Set("x-amz-delete-marker", "true")
		h.Set("x-amz-version-id", info.VersionID)
		h.Set("Allow", "DELETE")
		return errMethodNotAllowed().with("Method", req.HTTP.Method).with("ResourceType", "DeleteMarker")
	case errors.Is(err, blob.ErrDeleteMarker):
		h.Set("x-amz-delete-marker", "true")
		h.Set("x-amz-version-id", info.VersionID)
	}
	return errNoSuchKey(req.Key)
}

// setVersionHeader sets x-amz-version-id on a response about info: its
// version ID, or "null" once the bucket has ever been versioned (S3 sends
// none for a bucket that never was).
func (s *Service) setVersionHeader(w http.ResponseWriter, ctx context.Context, bucket string, info blob.Info) {
	id := info.VersionID
	if id == "" || id == blob.NullVersion {
		v, e := s.bucketVersioning(ctx, bucket)
		if e != nil || v == blob.Unversioned {
			return
		}
		id = blob.NullVersion
	}
	w.Header().Set("x-amz-version-id", id)
}

// putVersioned stores a new object version as the bucket's versioning
// state says, and sets its x-amz-version-id on w.
func (s *Service) putVersioned(w http.ResponseWriter, req *Request, bucket, key string, body io.Reader, meta blob.Meta, verify func(blob.Digests) error) (blob.Info, *Error) {
	v, e := s.bucketVersioning(req.HTTP.Context(), bucket)
	if e != nil {
		return blob.Info{}, e
	}
	info, err := s.blobs.PutVersion(bucket, key, body, meta, verify, v)
	if err != nil {
		return info, s.blobError(err, req.Bucket, key)
	}
	if v != blob.Unversioned {
		w.Header().Set("x-amz-version-id", info.VersionID)
	}
	return info, nil
}

// deleteOutcome is what a delete did, for headers and DeleteObjects.
type deleteOutcome struct {
	versionID    string // the version removed or the marker made ("" for none)
	deleteMarker bool   // a delete marker was made or removed
}

// deleteKey is DeleteObject without a version ID: a delete marker in a
// bucket that has been versioned, otherwise the null version goes. With
// ifMatch (a conditional delete) the object store changes the key only
// while its current object has that ETag (PreconditionFailed otherwise),
// checked at the moment of the change.
func (s *Service) deleteKey(ctx context.Context, bucket, key, ifMatch string) (deleteOutcome, *Error) {
	v, e := s.bucketVersioning(ctx, bucket)
	if e != nil {
		return deleteOutcome{}, e
	}
	info, err := s.blobs.DeleteCurrentIf(bucket, key, v, ifMatch)
	if err != nil {
		return deleteOutcome{}, s.blobError(err, bucket, key)
	}
	if v == blob.Unversioned {
		return deleteOutcome{}, nil
	}
	return deleteOutcome{versionID: info.VersionID, deleteMarker: true}, nil
}

// deleteVersion permanently removes one version; one that does not exist
// is a success echoing its ID, as S3 answers.
func (s *Service) deleteVersion(bucket, key, id string) (deleteOutcome, *Error) {
	info, err := s.blobs.DeleteVersion(bucket, key, id)
	switch {
	case errors.Is(err, blob.ErrNoSuchVersion):
		return deleteOutcome{versionID: id}, nil
	case errors.Is(err, blob.ErrInvalidVersionID):
		return deleteOutcome{}, errInvalidVersion(id)
	case err != nil:
		return deleteOutcome{}, s.blobError(err, bucket, key)
	}
	return deleteOutcome{versionID: id, deleteMarker: info.DeleteMarker}, nil
}

// deleteObjectOrVersion serves DeleteObject once the bucket is loaded:
// s3:DeleteObjectVersion (with s3:VersionId) when a version is named.
func (s *Service) deleteObjectOrVersion(w http.ResponseWriter, req *Request, b *store.Bucket) *Error {
	id, named, e := requestVersion(req)
	if e != nil {
		return e
	}
	if e := s.authorizeOp(req, b, withVersionKey(nil, id, named)); e != nil {
		return e
	}
	var out deleteOutcome
	var ifMatch string
	if named {
		out, e = s.deleteVersion(b.Name, req.Key, id)
	} else if ifMatch, e = s.authorizeDeleteIfMatch(req, b, req.Key, req.HTTP.Header.Get("If-Match")); e == nil {
		out, e = s.deleteKey(req.HTTP.Context(), b.Name, req.Key, ifMatch)
	}
	if e != nil {
		return e
	}
	if out.versionID != "" {
		w.Header().Set("x-amz-version-id", out.versionID)
	}
	if out.deleteMarker {
		w.Header().Set("x-amz-delete-marker", "true")
	}
	noContent(w, req)
	return nil
}

// authorizeDeleteIfMatch admits a conditional delete (DeleteObject's
// If-Match, a DeleteObjects entry's ETag) and returns the condition for
// deleteKey: naming an ETag also needs s3:GetObject, since the answer
// tells whether it is the object's; "*" matches any ETag. A key with no
// current object is deleted as without the condition (S3's answer then is
// not documented).
func (s *Service) authorizeDeleteIfMatch(req *Request, b *store.Bucket, key, ifMatch string) (string, *Error) {
	ifMatch = strings.TrimSpace(ifMatch)
	if ifMatch != "" && ifMatch != "*" {
		if e := s.authorize(req.HTTP.Context(), req, b, check{action: "s3:GetObject", resource: objectARN(b.Name, key)}); e != nil {
			return "", e
		}
	}
	return ifMatch, nil
}

// deleteEntry is one entry of DeleteObjects after its authorization, in
// the shape S3 reports it: a removed version echoes its VersionId (with
// DeleteMarker when it was one); a new delete marker is DeleteMarker with
// DeleteMarkerVersionId.
func (s *Service) deleteEntry(ctx context.Context, bucket, key string, version *string, ifMatch string) (deletedEntry, *Error) {
	entry := deletedEntry{Key: key}
	if version == nil {
		out, e := s.deleteKey(ctx, bucket, key, ifMatch)
		if out.deleteMarker {
			entry.DeleteMarker, entry.DeleteMarkerVersionID = true, out.versionID
		}
		return entry, e
	}
	entry.VersionID = *version
	if *version == "" {
		return entry, s3Error("NoSuchVersion")
	}
	out, e := s.deleteVersion(bucket, key, *version)
	if e != nil && e.Code == "InvalidArgument" {
		return entry, s3Error("NoSuchVersion") // S3's per-entry answer to a malformed ID
	}
	if out.deleteMarker {
		entry.DeleteMarker, entry.DeleteMarkerVersionID = true, *version
	}
	return entry, e
}

// copySourceVersion reads the versionId of x-amz-copy-source: the action
// reading it asks for (s3:GetObjectVersion when one is named) and the ID.
func copySourceVersion(header string) (id, action string, e *Error) {
	_, id, named := cutVersionID(header)
	if !named {
		return "", "s3:GetObject", nil
	}
	if id == "" {
		return "", "", errInvalidArgument("Version id cannot be the empty string").with("ArgumentName", "x-amz-copy-source").with("ArgumentValue", header)
	}
	return id, "s3:GetObjectVersion", nil
}

// cutVersionID splits "bucket/key?versionId=id" (a "?" in the key is
// URL-encoded, so the first one starts the query).
func cutVersionID(header string) (string, string, bool) {
	return strings.Cut(header, "?versionId=")
}

// copySourceError maps a copy source that cannot be read as asked.
func copySourceError(key, id string, err error) *Error {
	switch {
	case errors.Is(err, blob.ErrInvalidVersionID):
		return errInvalidVersion(id)
	case errors.Is(err, blob.ErrNoSuchVersion):
		return s3Error("NoSuchVersion").with("Key", key).with("VersionId", id)
	case errors.Is(err, blob.ErrDeleteMarker) && !errors.Is(err, blob.ErrNoSuchKey):
		return s3Errorf("InvalidRequest", "The source of a copy request may not specifically refer to a delete marker by version id.")
	}
	return errNoSuchKey(key)
}

// setCopyVersionHeaders sets x-amz-copy-source-version-id (the source
// version read, when it has an ID or was named) on a copy's response.
func setCopyVersionHeaders(w http.ResponseWriter, header string, src blob.Info) {
	_, _, named := cutVersionID(header)
	if named || src.VersionID != blob.NullVersion && src.VersionID != "" {
		w.Header().Set("x-amz-copy-source-version-id", src.VersionID)
	}
}

type versioningConfiguration struct {
	XMLName   xml.Name `xml:"VersioningConfiguration"`
	Xmlns     string   `xml:"xmlns,attr"`
	Status    string   `xml:"Status,omitempty"`
	MfaDelete string   `xml:"MfaDelete,omitempty"`
}

// getBucketVersioning answers the stored status; a bucket never
// versioned has an empty configuration.
func (s *Service) getBucketVersioning(w http.ResponseWriter, req *Request) *Error {
	b, e := s.authorizedBucket(req)
	if e != nil {
		return e
	}
	status, _, e := s.loadConfig(req, b.Name, versioningSetting)
	if e != nil {
		return e
	}
	writeXML(w, req.RequestID, versioningConfiguration{Xmlns: xmlns, Status: status})
	return nil
}

// parseVersioningConfiguration validates a PutBucketVersioning body.
func parseVersioningConfiguration(body []byte) (string, *Error) {
	var in versioningConfiguration
	if checkRoot(body, "VersioningConfiguration") != nil || xml.Unmarshal(body, &in) != nil {
		return "", errMalformedXML()
	}
	switch in.MfaDelete {
	case "", "Disabled":
	case "Enabled":
		return "", errNotImplemented("MFA delete")
	default:
		return "", errMalformedXML()
	}
	switch in.Status {
	case statusEnabled, statusSuspended:
		return in.Status, nil
	case "":
		return "", s3Error("IllegalVersioningConfigurationException")
	}
	return "", errMalformedXML()
}

// objectLockSetting is the bucket setting of the object lock
// configuration, which keeps versioning Enabled.
const objectLockSetting = "object-lock"

// putBucketVersioning stores Enabled or Suspended; there is no way back
// to never versioned, and a bucket with Object Lock stays Enabled.
func (s *Service) putBucketVersioning(w http.ResponseWriter, req *Request) *Error {
	b, e := s.authorizedBucket(req)
	if e != nil {
		return e
	}
	body, err := io.ReadAll(io.LimitReader(req.Body, maxConfigBody+1))
	if err != nil {
		return readError(err)
	}
	if len(body) > maxConfigBody {
		return errMalformedXML()
	}
	if e := checkConfigDigest(req, body, true); e != nil {
		return e
	}
	status, e := parseVersioningConfiguration(body)
	if e != nil {
		return e
	}
	var refused *Error
	err = s.store.Update(req.HTTP.Context(), func(tx store.Tx) error {
		if status == statusSuspended {
			if _, err := tx.GetBucketSetting(b.Name, objectLockSetting); err == nil {
				refused = s3Errorf("InvalidBucketState", "An Object Lock configuration is present on this bucket, so the versioning state cannot be changed.")
				return refused
			} else if !errors.Is(err, store.ErrNotFound) {
				return err
			}
		}
		return tx.PutBucketSetting(b.Name, versioningSetting, status)
	})
	if refused != nil {
		return refused
	}
	if e := s.storeError(err, b.Name); e != nil {
		return e
	}
	okEmpty(w, req)
	return nil
}
