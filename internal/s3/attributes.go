package s3

import (
	"encoding/xml"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/sekisho/sekisho/internal/blob"
)

// objectAttributeNames are the values x-amz-object-attributes may list.
var objectAttributeNames = []string{"ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize"}

type attributesChecksum struct {
	checksumElements
}

// attributesParts is ObjectParts. The blob store keeps only the number of
// parts of an assembled object, not each part, so no Part entries are
// listed (S3 lists them only for uploads made with checksums).
type attributesParts struct {
	PartsCount       int  `xml:"PartsCount"`
	PartNumberMarker int  `xml:"PartNumberMarker"`
	MaxParts         int  `xml:"MaxParts"`
	IsTruncated      bool `xml:"IsTruncated"`
}

type attributesResponse struct {
	XMLName      xml.Name            `xml:"GetObjectAttributesResponse"`
	Xmlns        string              `xml:"xmlns,attr"`
	ETag         string              `xml:"ETag,omitempty"`
	Checksum     *attributesChecksum `xml:"Checksum,omitempty"`
	ObjectParts  *attributesParts    `xml:"ObjectParts,omitempty"`
	StorageClass string              `xml:"StorageClass,omitempty"`
	ObjectSize   *int64              `xml:"ObjectSize,omitempty"`
}

// getObjectAttributes answers GetObjectAttributes: the attributes named
// by x-amz-object-attributes, authorized as s3:GetObjectAttributes (the
// row's action), with NoSuchKey only for callers who may list the bucket,
// as GetObject.
func (s *Service) getObjectAttributes(w http.ResponseWriter, req *Request) *Error {
	want, e := requestedAttributes(req.HTTP.Header)
	if e != nil {
		return e
	}
	maxParts, e := headerInt(req.HTTP.Header, "x-amz-max-parts", 1000)
	if e != nil {
		return e
	}
	marker, e := headerInt(req.HTTP.Header, "x-amz-part-number-marker", 0)
	if e != nil {
		return e
	}
	_, info, body, e := s.readable(w, req) // versionId honoured, x-amz-version-id set
	if e != nil {
		return e
	}
	body.Close()
	out := attributesResponse{Xmlns: xmlns}
	if want["ETag"] {
		out.ETag = strings.Trim(info.ETag, `"`)
	}
	if want["Checksum"] && len(info.Checksums) > 0 {
		out.Checksum = &attributesChecksum{checksumXML(attributeChecksums(info.Checksums), info.ChecksumType)}
	}
	if want["ObjectParts"] && info.PartsCount > 0 {
		out.ObjectParts = &attributesParts{PartsCount: info.PartsCount, PartNumberMarker: marker, MaxParts: maxParts}
	}
	if want["StorageClass"] {
		out.StorageClass = info.StorageClass
		if out.StorageClass == "" {
			out.StorageClass = "STANDARD"
		}
	}
	if want["ObjectSize"] {
		out.ObjectSize = &info.Size
	}
	w.Header().Set("Last-Modified", httpTime(info.LastModified))
	writeXML(w, req.RequestID, out)
	return nil
}

// requestedAttributes parses x-amz-object-attributes, which S3 requires
// and whose values must be known attribute names.
func requestedAttributes(h http.Header) (map[string]bool, *Error) {
	want := map[string]bool{}
	for _, v := range h.Values("x-amz-object-attributes") {
		for _, name := range strings.Split(v, ",") {
			name = strings.TrimSpace(name)
			if name == "" {
				continue
			}
			if !slices.Contains(objectAttributeNames, name) {
				return nil, errInvalidArgument("Invalid attribute name specified.").
					with("ArgumentName", "x-amz-object-attributes").with("ArgumentValue", name)
			}
			want[name] = true
		}
	}
	if len(want) == 0 {
		return nil, errInvalidArgument("The x-amz-object-attributes header specifying the attributes to be retrieved is either missing or empty").
			with("ArgumentName", "x-amz-object-attributes").with("ArgumentValue", "")
	}
	return want, nil
}

// attributeChecksums: GetObjectAttributes gives a composite checksum
// without the "-<parts>" suffix that GetObject and HeadObject carry.
func attributeChecksums(sums map[blob.Algorithm]string) map[blob.Algorithm]string {
	out := make(map[blob.Algorithm]string, len(sums))
	for a, v := range sums {
		if i := strings.LastIndexByte(v, '-'); i > 0 {
			v = v[:i]
		}
		out[a] = v
	}
	return out
}

// headerInt reads a non-negative integer header, def when absent.
func headerInt(h http.Header, name string, def int) (int, *Error) {
	v := h.Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, errInvalidArgument("Provided %s not an integer or within integer range", name).with("ArgumentName", name).with("ArgumentValue", v)
	}
	return n, nil
}
