package s3

import (
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/sekisho/sekisho/internal/store"
)

// maxBucketTags is S3's limit on a bucket's tag set.
const maxBucketTags = 50

// taggingConfig is the bucket's tag set (not its objects'). An empty
// TagSet removes it, as S3 does.
var taggingConfig = &bucketConfig{
	op: "BucketTagging", query: "tagging", root: "Tagging",
	getAction: "s3:GetBucketTagging", putAction: "s3:PutBucketTagging", deleteAction: "s3:PutBucketTagging",
	unset: func(bucket string) *Error {
		return s3Errorf("NoSuchTagSet", "The TagSet does not exist").with("BucketName", bucket)
	},
	validate:  validateBucketTagging,
	putStatus: http.StatusNoContent,
}

// validateBucketTagging applies S3's limits on a bucket's tags.
func validateBucketTagging(_ *Service, _ *Request, _ store.Bucket, body []byte) (bool, *Error) {
	var in tagging
	if e := decodeConfig(body, &in); e != nil {
		return false, e
	}
	if len(in.TagSet) > maxBucketTags {
		return false, s3Errorf("BadRequest", "Bucket tag count cannot be greater than %d", maxBucketTags)
	}
	seen := make(map[string]bool, len(in.TagSet))
	for _, t := range in.TagSet {
		switch {
		case t.Key == "" || utf8.RuneCountInString(t.Key) > maxTagKeyLength:
			return false, errInvalidTag("The TagKey you have provided is invalid")
		case utf8.RuneCountInString(t.Value) > maxTagValLength:
			return false, errInvalidTag("The TagValue you have provided is invalid")
		case strings.HasPrefix(strings.ToLower(t.Key), "aws:"):
			return false, errInvalidTag("System tags cannot be added/updated by requester")
		case seen[t.Key]:
			return false, errInvalidTag("Cannot provide multiple Tags with the same key")
		}
		seen[t.Key] = true
	}
	return len(in.TagSet) == 0, nil
}
