package s3

import (
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/url"
	"sort"
	"unicode/utf8"

	"github.com/sekisho/sekisho/internal/blob"
	"github.com/sekisho/sekisho/internal/store"
)

// Object tag limits, as S3 enforces them.
const (
	maxObjectTags   = 10
	maxTagKeyLength = 128
	maxTagValLength = 256
)

type tagXML struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

type tagging struct {
	XMLName xml.Name `xml:"Tagging"`
	Xmlns   string   `xml:"xmlns,attr,omitempty"`
	TagSet  []tagXML `xml:"TagSet>Tag"`
}

func errInvalidTag(msg string) *Error {
	return s3Errorf("InvalidTag", "%s", msg)
}

// checkTags applies S3's limits on an object's tag set.
func checkTags(tags map[string]string) *Error {
	if len(tags) > maxObjectTags {
		return s3Errorf("BadRequest", "Object tags cannot be greater than 10")
	}
	for k, v := range tags {
		switch {
		case k == "" || utf8.RuneCountInString(k) > maxTagKeyLength:
			return errInvalidTag("The TagKey you have provided is invalid")
		case utf8.RuneCountInString(v) > maxTagValLength:
			return errInvalidTag("The TagValue you have provided is invalid")
		}
	}
	return nil
}

// requestTags reads the x-amz-tagging header of a PUT: a URL-encoded
// query string of tags.
func requestTags(h http.Header) (map[string]string, *Error) {
	v := h.Get("x-amz-tagging")
	if v == "" {
		return nil, nil
	}
	q, err := url.ParseQuery(v)
	if err != nil {
		return nil, errInvalidArgument("The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.")
	}
	tags := make(map[string]string, len(q))
	for k, vs := range q {
		if len(vs) != 1 {
			return nil, errInvalidTag("Cannot provide multiple Tags with the same key")
		}
		tags[k] = vs[0]
	}
	return tags, checkTags(tags)
}

// requestTagKeys are the condition keys of tags a request sets.
func requestTagKeys(tags map[string]string) map[string][]string {
	if len(tags) == 0 {
		return nil
	}
	extra := map[string][]string{"s3:RequestObjectTagKeys": sortedTagKeys(tags)}
	for k, v := range tags {
		extra["s3:RequestObjectTag/"+k] = []string{v}
	}
	return extra
}

// existingTagKeys are the condition keys of an object's current tags.
func existingTagKeys(tags map[string]string) map[string][]string {
	if len(tags) == 0 {
		return nil
	}
	extra := map[string][]string{}
	for k, v := range tags {
		extra["s3:ExistingObjectTag/"+k] = []string{v}
	}
	return extra
}

func sortedTagKeys(tags map[string]string) []string {
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// authorizeWrite asks for s3:PutObject and, when the PUT sets tags, also
// s3:PutObjectTagging, with the tags as s3:RequestObjectTag condition keys.
func (s *Service) authorizeWrite(req *Request, b *store.Bucket, tags map[string]string) *Error {
	ctx := req.HTTP.Context()
	extra := requestTagKeys(tags)
	if e := s.authorizeOp(req, b, extra); e != nil {
		return e
	}
	if len(tags) == 0 {
		return nil
	}
	return s.authorize(ctx, req, b, check{action: "s3:PutObjectTagging", resource: objectARN(b.Name, req.Key), extra: extra})
}

// taggedObject loads the header of an object (or of the version named)
// and authorizes the request's operation on it with its tags as
// s3:ExistingObjectTag keys (and extra keys, and s3:VersionId). It sets
// x-amz-version-id on w, and returns the version ID asked for ("" for the
// latest).
func (s *Service) taggedObject(w http.ResponseWriter, req *Request, extra map[string][]string) (store.Bucket, blob.Info, string, *Error) {
	b, e := s.requestBucket(req)
	if e != nil {
		return b, blob.Info{}, "", e
	}
	id, named, e := requestVersion(req)
	if e != nil {
		return b, blob.Info{}, "", e
	}
	info, err := s.blobs.HeadVersion(b.Name, req.Key, id)
	if errors.Is(err, blob.ErrInvalidVersionID) {
		return b, info, "", errInvalidVersion(id)
	}
	if err != nil && !missingVersion(err) {
		return b, info, "", s.blobError(err, req.Bucket, req.Key)
	}
	keys := withVersionKey(existingTagKeys(info.Tags), id, named)
	for k, v := range extra {
		if keys == nil {
			keys = map[string][]string{}
		}
		keys[k] = v
	}
	if e := s.authorizeOp(req, &b, keys); e != nil {
		return b, info, "", e
	}
	if err != nil {
		return b, info, "", versionReadError(w, req, info, id, err)
	}
	s.setVersionHeader(w, req.HTTP.Context(), b.Name, info)
	return b, info, id, nil
}

func (s *Service) getObjectTagging(w http.ResponseWriter, req *Request) *Error {
	_, info, _, e := s.taggedObject(w, req, nil)
	if e != nil {
		return e
	}
	out := tagging{Xmlns: xmlns, TagSet: []tagXML{}}
	for _, k := range sortedTagKeys(info.Tags) {
		out.TagSet = append(out.TagSet, tagXML{Key: k, Value: info.Tags[k]})
	}
	writeXML(w, req.RequestID, out)
	return nil
}

// parseTagging reads a PutObjectTagging body: a Tagging document whose
// tags are distinct and valid.
func parseTagging(raw []byte) (map[string]string, *Error) {
	var in tagging
	if xml.Unmarshal(raw, &in) != nil {
		return nil, errMalformedXML()
	}
	tags := map[string]string{}
	for _, t := range in.TagSet {
		if _, dup := tags[t.Key]; dup {
			return nil, errInvalidTag("Cannot provide multiple Tags with the same key")
		}
		tags[t.Key] = t.Value
	}
	if e := checkTags(tags); e != nil {
		return nil, e
	}
	return tags, nil
}

func (s *Service) putObjectTagging(w http.ResponseWriter, req *Request) *Error {
	raw, err := io.ReadAll(io.LimitReader(req.Body, 64<<10))
	if err != nil {
		return readError(err)
	}
	tags, e := parseTagging(raw)
	if e != nil {
		return e
	}
	b, _, id, e := s.taggedObject(w, req, requestTagKeys(tags))
	if e != nil {
		return e
	}
	if _, err := s.blobs.SetVersionTags(b.Name, req.Key, id, tags); err != nil {
		return s.blobError(err, req.Bucket, req.Key)
	}
	w.Header().Set("x-amz-request-id", req.RequestID)
	w.WriteHeader(http.StatusOK)
	return nil
}

func (s *Service) deleteObjectTagging(w http.ResponseWriter, req *Request) *Error {
	b, _, id, e := s.taggedObject(w, req, nil)
	if e != nil {
		return e
	}
	if _, err := s.blobs.SetVersionTags(b.Name, req.Key, id, nil); err != nil {
		return s.blobError(err, req.Bucket, req.Key)
	}
	noContent(w, req)
	return nil
}
