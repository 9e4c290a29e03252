package s3

import (
	"encoding/xml"
	"errors"
	"net/http"

	"github.com/sekisho/sekisho/internal/blob"
	"github.com/sekisho/sekisho/internal/store"
)

// versionEntry is a <Version> or a <DeleteMarker> of ListVersionsResult;
// both kinds share one slice so that they keep S3's order (keys
// ascending, each key's versions newest first).
type versionEntry struct {
	XMLName      xml.Name
	Key          string `xml:"Key"`
	VersionID    string `xml:"VersionId"`
	IsLatest     bool   `xml:"IsLatest"`
	LastModified string `xml:"LastModified"`
	ETag         string `xml:"ETag,omitempty"`
	Size         *int64 `xml:"Size,omitempty"`
	StorageClass string `xml:"StorageClass,omitempty"`
	Owner        *owner `xml:"Owner,omitempty"`
}

type listVersionsResult struct {
	XMLName             xml.Name       `xml:"ListVersionsResult"`
	Xmlns               string         `xml:"xmlns,attr"`
	Name                string         `xml:"Name"`
	Prefix              string         `xml:"Prefix"`
	KeyMarker           string         `xml:"KeyMarker"`
	VersionIDMarker     string         `xml:"VersionIdMarker"`
	NextKeyMarker       string         `xml:"NextKeyMarker,omitempty"`
	NextVersionIDMarker string         `xml:"NextVersionIdMarker,omitempty"`
	MaxKeys             int            `xml:"MaxKeys"`
	Delimiter           string         `xml:"Delimiter,omitempty"`
	EncodingType        string         `xml:"EncodingType,omitempty"`
	IsTruncated         bool           `xml:"IsTruncated"`
	Entries             []versionEntry `xml:""`
	CommonPrefixes      []commonPrefix `xml:"CommonPrefixes"`
}

// maxListKeys is the most entries S3 returns in one listing page.
const maxListKeys = 1000

// listObjectVersions serves GET /bucket?versions under
// s3:ListBucketVersions, with the condition keys ListObjects sets.
func (s *Service) listObjectVersions(w http.ResponseWriter, req *Request) *Error {
	q := req.query()
	b, maxKeys, encoding, e := s.authorizedListing(req)
	if e != nil {
		return e
	}
	query := blob.VersionQuery{Prefix: q.Get("prefix"), Delimiter: q.Get("delimiter"),
		KeyMarker: q.Get("key-marker"), VersionIDMarker: q.Get("version-id-marker"), MaxKeys: min(maxKeys, maxListKeys)}
	var page blob.VersionPage
	if maxKeys > 0 {
		var err error
		if page, err = s.blobs.ListVersions(b.Name, query); err != nil {
			return s.listVersionsError(err, req, query)
		}
	} else if e := checkVersionMarker(query); e != nil {
		return e
	}
	enc := encoder(encoding)
	out := listVersionsResult{Xmlns: xmlns, Name: b.Name, Prefix: enc(query.Prefix), KeyMarker: enc(query.KeyMarker),
		VersionIDMarker: query.VersionIDMarker, MaxKeys: maxKeys, Delimiter: enc(query.Delimiter), EncodingType: encoding,
		IsTruncated: page.Truncated}
	if page.Truncated {
		out.NextKeyMarker, out.NextVersionIDMarker = enc(page.NextKeyMarker), page.NextVersionIDMarker
	}
	for _, info := range page.Versions {
		out.Entries = append(out.Entries, versionListEntry(info, &b, enc))
	}
	for _, p := range page.CommonPrefixes {
		out.CommonPrefixes = append(out.CommonPrefixes, commonPrefix{Prefix: enc(p)})
	}
	writeXML(w, req.RequestID, out)
	return nil
}

// versionListEntry is one version or delete marker as S3 lists it.
// Its owner is the one S3 reports (effectiveOwner): the bucket owner for
// delete markers, which carry none of their own, and for every version
// while the bucket enforces ownership.
func versionListEntry(info blob.Info, b *store.Bucket, enc func(string) string) versionEntry {
	e := versionEntry{XMLName: xml.Name{Local: "DeleteMarker"}, Key: enc(info.Key), VersionID: info.VersionID,
		IsLatest: info.IsLatest, LastModified: isoTime(info.LastModified), Owner: &owner{ID: canonicalID(effectiveOwner(b, info))}}
	if info.DeleteMarker {
		return e
	}
	size := info.Size
	e.XMLName.Local, e.ETag, e.Size, e.StorageClass = "Version", info.ETag, &size, "STANDARD"
	if info.StorageClass != "" {
		e.StorageClass = info.StorageClass
	}
	return e
}

// checkVersionMarker applies ListVersions' marker rules where no page is
// read (max-keys=0).
func checkVersionMarker(q blob.VersionQuery) *Error {
	if q.VersionIDMarker == "" {
		return nil
	}
	if q.KeyMarker == "" {
		return errVersionMarkerAlone(q.VersionIDMarker)
	}
	if q.VersionIDMarker != blob.NullVersion && !isVersionID(q.VersionIDMarker) {
		return errInvalidVersion(q.VersionIDMarker).with("ArgumentName", "version-id-marker")
	}
	return nil
}

// isVersionID reports whether id has the form of the IDs blob issues.
func isVersionID(id string) bool {
	if len(id) != 32 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

func errVersionMarkerAlone(marker string) *Error {
	return errInvalidArgument("A version-id marker cannot be specified without a key marker.").
		with("ArgumentName", "version-id-marker").with("ArgumentValue", marker)
}

// listVersionsError maps ListVersions' refusals of the markers.
func (s *Service) listVersionsError(err error, req *Request, q blob.VersionQuery) *Error {
	switch {
	case errors.Is(err, blob.ErrInvalidVersionID):
		return errInvalidVersion(q.VersionIDMarker).with("ArgumentName", "version-id-marker")
	case errors.Is(err, blob.ErrInvalidArgument):
		return errVersionMarkerAlone(q.VersionIDMarker)
	}
	return s.blobError(err, req.Bucket, "")
}
