package organizations

import (
	"context"
	"regexp"
	"strings"

	"github.com/sekisho/sekisho/internal/awsproto"
	"github.com/sekisho/sekisho/internal/store"
)

// maxTags is AWS's limit of tags on one resource.
const maxTags = 50

func checkTags(tags []tagShape) error {
	if len(tags) > maxTags {
		return constraint("MAX_TAG_LIMIT_EXCEEDED", "You have exceeded the number of tags allowed on this resource.")
	}
	seen := map[string]bool{}
	for _, t := range tags {
		if t.Key == "" || chars(t.Key) > 128 || chars(t.Value) > 256 {
			return invalidInput(lengthReason(t.Key, 1), "Tag keys must be 1 to 128 characters and values at most 256.")
		}
		if err := checkSystemKey(t.Key); err != nil {
			return err
		}
		if seen[t.Key] {
			return invalidInput("DUPLICATE_TAG_KEY", "Tag keys must be unique among the tags attached to the same entity.")
		}
		seen[t.Key] = true
	}
	return nil
}

// checkSystemKey refuses a key of AWS's reserved aws: prefix: system tags
// can be neither added, edited nor deleted by customers.
func checkSystemKey(key string) error {
	if strings.HasPrefix(key, "aws:") {
		return invalidInput("INVALID_SYSTEM_TAGS_PARAMETER", "You can't add, edit, or delete system tag keys because they're reserved for AWS use.")
	}
	return nil
}

func (s *Service) tagResource(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	var in struct {
		ResourceId string
		Tags       []tagShape
	}
	if e := decode(call, &in); e != nil {
		return nil, e
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, s.txError(err)
	}
	_, e := s.change(ctx, call, func(o *org) string { return o.resourceARN(in.ResourceId) }, func(tx store.Tx, o *org) (any, error) {
		tags, err := o.taggable(in.ResourceId)
		if err != nil {
			return nil, err
		}
		for _, t := range in.Tags {
			*tags = setTag(*tags, store.Tag(t))
		}
		if len(*tags) > maxTags {
			return nil, constraint("MAX_TAG_LIMIT_EXCEEDED", "You have exceeded the number of tags allowed on this resource.")
		}
		return nil, nil
	})
	return nil, e
}

func setTag(tags []store.Tag, t store.Tag) []store.Tag {
	for i := range tags {
		if tags[i].Key == t.Key {
			tags[i].Value = t.Value
			return tags
		}
	}
	return append(tags, t)
}

func (s *Service) untagResource(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	var in struct {
		ResourceId string
		TagKeys    []string
	}
	if e := decode(call, &in); e != nil {
		return nil, e
	}
	for _, k := range in.TagKeys {
		if err := checkSystemKey(k); err != nil {
			return nil, s.txError(err)
		}
	}
	_, e := s.change(ctx, call, func(o *org) string { return o.resourceARN(in.ResourceId) }, func(tx store.Tx, o *org) (any, error) {
		tags, err := o.taggable(in.ResourceId)
		if err != nil {
			return nil, err
		}
		kept := (*tags)[:0]
		for _, t := range *tags {
			if !contains(in.TagKeys, t.Key) {
				kept = append(kept, t)
			}
		}
		*tags = kept
		return nil, nil
	})
	return nil, e
}

func (s *Service) listTagsForResource(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	var in struct {
		pageRequest
		ResourceId string
	}
	if e := decode(call, &in); e != nil {
		return nil, e
	}
	return s.read(ctx, call, func(o *org) string { return o.resourceARN(in.ResourceId) }, func(o *org) (any, *awsproto.Error) {
		tags, err := o.taggable(in.ResourceId)
		if err != nil {
			return nil, s.txError(err)
		}
		page, next, e := paginate(tagShapes(*tags), in.pageRequest)
		if e != nil {
			return nil, e
		}
		return listed("Tags", page, next), nil
	})
}

// taggableIDPattern is the API's pattern of TaggableResourceId.
var taggableIDPattern = regexp.MustCompile(`^(r-[0-9a-z]{4,32}|\d{12}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|p-[0-9a-zA-Z_]{8,128}|rp-[0-9a-zA-Z_]{4,128}|rt-[0-9a-zA-Z_]{8,32})$`)

// taggable finds the tags of a well-formed resource id.
func (o *org) taggable(id string) (*[]store.Tag, error) {
	if !taggableIDPattern.MatchString(id) {
		return nil, errPattern
	}
	if tags, ok := o.tagsOf(id); ok {
		return tags, nil
	}
	return nil, errTargetNotFound
}

// resourceARN is the ARN of a taggable resource id.
func (o *org) resourceARN(id string) string {
	if arn := o.targetARN(id); arn != "" {
		return arn
	}
	return o.policyARNByID(id)
}
