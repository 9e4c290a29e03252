package s3

import (
	"encoding/base64"
	"encoding/xml"
	"net/http"
	"net/url"

	"slices"
	"strings"

	"github.com/sekisho/sekisho/internal/blob"
	"github.com/sekisho/sekisho/internal/store"
)

type listEntry struct {
	Key          string `xml:"Key"`
	LastModified string `xml:"LastModified"`
	ETag         string `xml:"ETag"`
	Size         int64  `xml:"Size"`
	StorageClass string `xml:"StorageClass"`
	Owner        *owner `xml:"Owner,omitempty"`
	// ChecksumAlgorithm and ChecksumType describe the object's stored
	// checksums, as S3 lists them.
	ChecksumAlgorithm []string `xml:"ChecksumAlgorithm,omitempty"`
	ChecksumType      string   `xml:"ChecksumType,omitempty"`
}

type commonPrefix struct {
	Prefix string `xml:"Prefix"`
}

type listBucketResult struct {
	XMLName               xml.Name       `xml:"ListBucketResult"`
	Xmlns                 string         `xml:"xmlns,attr"`
	Name                  string         `xml:"Name"`
	Prefix                string         `xml:"Prefix"`
	Marker                *string        `xml:"Marker,omitempty"`
	NextMarker            string         `xml:"NextMarker,omitempty"`
	ContinuationToken     string         `xml:"ContinuationToken,omitempty"`
	NextContinuationToken string         `xml:"NextContinuationToken,omitempty"`
	StartAfter            string         `xml:"StartAfter,omitempty"`
	KeyCount              *int           `xml:"KeyCount,omitempty"`
	MaxKeys               int            `xml:"MaxKeys"`
	Delimiter             string         `xml:"Delimiter,omitempty"`
	EncodingType          string         `xml:"EncodingType,omitempty"`
	IsTruncated           bool           `xml:"IsTruncated"`
	Contents              []listEntry    `xml:"Contents"`
	CommonPrefixes        []commonPrefix `xml:"CommonPrefixes"`
}

// listing is the outcome of walking a bucket's keys.
type listing struct {
	entries   []blob.Info
	prefixes  []string
	truncated bool
	last      string // the last key or common prefix returned
}

// listKeys walks keys after `after` under prefix, grouping by delimiter,
// until maxKeys keys and common prefixes are collected.
func (s *Service) listKeys(bucket, prefix, delimiter, after string, maxKeys int) (listing, error) {
	var out listing
	seen := map[string]bool{}
	start := after
	for {
		batch, more, err := s.blobs.List(bucket, prefix, after, 1000)
		if err != nil {
			return out, err
		}
		for _, info := range batch {
			after = info.Key
			item, isPrefix := info.Key, false
			if delimiter != "" {
				if i := strings.Index(info.Key[len(prefix):], delimiter); i >= 0 {
					item, isPrefix = info.Key[:len(prefix)+i+len(delimiter)], true
				}
			}
			if isPrefix && (seen[item] || item <= start) {
				continue
			}
			if len(out.entries)+len(out.prefixes) == maxKeys {
				out.truncated = true
				return out, nil
			}
			if isPrefix {
				seen[item] = true
				out.prefixes = append(out.prefixes, item)
			} else {
				out.entries = append(out.entries, info)
			}
			out.last = item
		}
		if !more {
			return out, nil
		}
	}
}

// authorizedListing is the common start of ListObjects(V2) and
// ListObjectVersions: the bucket, max-keys, the listing's condition keys
// (s3:prefix, s3:delimiter, s3:max-keys, each only if sent) and the
// encoding-type.
func (s *Service) authorizedListing(req *Request) (b store.Bucket, maxKeys int, encoding string, e *Error) {
	q := req.query()
	if b, e = s.requestBucket(req); e != nil {
		return b, 0, "", e
	}
	if maxKeys, e = intParam(q, "max-keys", maxListKeys); e != nil {
		return b, 0, "", e
	}
	extra := map[string][]string{}
	for param, key := range map[string]string{"prefix": "s3:prefix", "delimiter": "s3:delimiter", "max-keys": "s3:max-keys"} {
		if q.Has(param) {
			extra[key] = []string{q.Get(param)}
		}
	}
	if e := s.authorizeOp(req, &b, extra); e != nil {
		return b, 0, "", e
	}
	encoding = q.Get("encoding-type")
	if encoding != "" && encoding != "url" {
		return b, 0, "", errInvalidArgument("Invalid Encoding Method specified in Request").with("ArgumentName", "encoding-type")
	}
	return b, maxKeys, encoding, nil
}

func (s *Service) listObjects(w http.ResponseWriter, req *Request) *Error {
	b, maxKeys, encoding, e := s.authorizedListing(req)
	if e != nil {
		return e
	}
	if req.query().Get("list-type") == "2" {
		return s.listObjectsV2(w, req, &b, maxKeys, encoding)
	}
	return s.listObjectsV1(w, req, &b, maxKeys, encoding)
}

func (s *Service) listObjectsV1(w http.ResponseWriter, req *Request, b *store.Bucket, maxKeys int, encoding string) *Error {
	q, bucket := req.query(), b.Name
	prefix, delimiter, marker := q.Get("prefix"), q.Get("delimiter"), q.Get("marker")
	l, err := s.listKeys(bucket, prefix, delimiter, marker, min(maxKeys, 1000))
	if err != nil {
		return s.blobError(err, req.Bucket, "")
	}
	enc := encoder(encoding)
	out := listBucketResult{Xmlns: xmlns, Name: bucket, Prefix: enc(prefix), Marker: ptr(enc(marker)), MaxKeys: maxKeys,
		Delimiter: enc(delimiter), EncodingType: encoding, IsTruncated: l.truncated}
	if l.truncated && delimiter != "" {
		out.NextMarker = enc(l.last)
	}
	fillListing(&out, l, enc, b, true)
	writeXML(w, req.RequestID, out)
	return nil
}

func (s *Service) listObjectsV2(w http.ResponseWriter, req *Request, b *store.Bucket, maxKeys int, encoding string) *Error {
	q, bucket := req.query(), b.Name
	prefix, delimiter, startAfter, token := q.Get("prefix"), q.Get("delimiter"), q.Get("start-after"), q.Get("continuation-token")
	after := startAfter
	if token != "" {
		decoded, err := base64.RawURLEncoding.DecodeString(token)
		if err != nil {
			return errInvalidArgument("The continuation token provided is incorrect").with("ArgumentName", "continuation-token")
		}
		after = string(decoded)
	}
	l, err := s.listKeys(bucket, prefix, delimiter, after, min(maxKeys, 1000))
	if err != nil {
		return s.blobError(err, req.Bucket, "")
	}
	enc := encoder(encoding)
	count := len(l.entries) + len(l.prefixes)
	out := listBucketResult{Xmlns: xmlns, Name: bucket, Prefix: enc(prefix), MaxKeys: maxKeys, KeyCount: &count,
		Delimiter: enc(delimiter), EncodingType: encoding, IsTruncated: l.truncated, ContinuationToken: token, StartAfter: enc(startAfter)}
	if l.truncated {
		out.NextContinuationToken = base64.RawURLEncoding.EncodeToString([]byte(skipPast(l.last, delimiter)))
	}
	fillListing(&out, l, enc, b, q.Get("fetch-owner") == "true")
	writeXML(w, req.RequestID, out)
	return nil
}

// skipPast turns the last item into a resume point: after a common prefix,
// resume past every key under it.
func skipPast(last, delimiter string) string {
	if delimiter != "" && strings.HasSuffix(last, delimiter) {
		return last + "\U0010FFFF"
	}
	return last
}

// fillListing adds l's keys and prefixes to out; with withOwner each key
// names its owner as S3 reports it (effectiveOwner): objects the world
// seeded, or written before the bucket enforced ownership, included.
func fillListing(out *listBucketResult, l listing, enc func(string) string, b *store.Bucket, withOwner bool) {
	for _, info := range l.entries {
		e := listEntry{Key: enc(info.Key), LastModified: isoTime(info.LastModified), ETag: info.ETag, Size: info.Size, StorageClass: "STANDARD"}
		if info.StorageClass != "" {
			e.StorageClass = info.StorageClass
		}
		if withOwner {
			e.Owner = &owner{ID: canonicalID(effectiveOwner(b, info))}
		}
		e.ChecksumAlgorithm, e.ChecksumType = listedChecksums(info)
		out.Contents = append(out.Contents, e)
	}
	for _, p := range l.prefixes {
		out.CommonPrefixes = append(out.CommonPrefixes, commonPrefix{Prefix: enc(p)})
	}
}

// encoder URL-encodes listing values when encoding-type=url.
func encoder(encoding string) func(string) string {
	if encoding != "url" {
		return func(s string) string { return s }
	}
	return func(s string) string { return strings.ReplaceAll(url.QueryEscape(s), "+", "%20") }
}

func ptr(s string) *string { return &s }

// listedChecksums are the algorithms of an object's stored checksums
// (sorted) and their type.
func listedChecksums(info blob.Info) ([]string, string) {
	if len(info.Checksums) == 0 {
		return nil, ""
	}
	algs := make([]string, 0, len(info.Checksums))
	for alg := range info.Checksums {
		algs = append(algs, string(alg))
	}
	slices.Sort(algs)
	typ := info.ChecksumType
	if typ == "" {
		typ = "FULL_OBJECT"
	}
	return algs, typ
}
