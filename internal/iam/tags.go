package iam

import (
	"encoding/xml"
	"fmt"
	"strings"

	"github.com/sekisho/sekisho/internal/awsproto"
	"github.com/sekisho/sekisho/internal/store"
)

// tagContext is the condition keys a request carrying tags sets:
// aws:RequestTag/<key> and aws:TagKeys.
func tagContext(tags []store.Tag, extra map[string][]string) map[string][]string {
	if len(tags) == 0 {
		return extra
	}
	if extra == nil {
		extra = map[string][]string{}
	}
	keys := make([]string, 0, len(tags))
	for _, t := range tags {
		extra["aws:RequestTag/"+t.Key] = []string{t.Value}
		keys = append(keys, t.Key)
	}
	extra["aws:TagKeys"] = keys
	return extra
}

// mergeTags adds tags to current, replacing the values of keys that are
// already there (keys compare case-insensitively). kind names the quota
// in the error when the result would exceed 50 tags ("User", "Role").
func mergeTags(current, tags []store.Tag, kind string) ([]store.Tag, *awsproto.Error) {
	out := append([]store.Tag(nil), current...)
	for _, t := range tags {
		replaced := false
		for i := range out {
			if strings.EqualFold(out[i].Key, t.Key) {
				out[i] = t
				replaced = true
				break
			}
		}
		if !replaced {
			out = append(out, t)
		}
	}
	if len(out) > maxTags {
		return nil, limitExceeded("Cannot exceed quota for TagsPer%s: %d", kind, maxTags)
	}
	return out, nil
}

// removeTags drops the tags with the given keys (case-insensitively).
func removeTags(current []store.Tag, keys []string) []store.Tag {
	var out []store.Tag
	for _, t := range current {
		drop := false
		for _, k := range keys {
			if strings.EqualFold(t.Key, k) {
				drop = true
				break
			}
		}
		if !drop {
			out = append(out, t)
		}
	}
	return out
}

// tagEdit is what a Tag* or Untag* call does to an entity's tags: the
// condition keys the request sets (aws:RequestTag/*, aws:TagKeys) and the
// change to the entity's current tags.
type tagEdit struct {
	keys   map[string][]string
	change func(current []store.Tag) ([]store.Tag, *awsproto.Error)
}

// readTagEdit reads a Tag* call's Tags, after the caller has read the
// entity's identifier (validation errors keep the model's order), and
// checks them; kind names the quota ("Policy", "InstanceProfile").
func readTagEdit(in *input, kind string) (tagEdit, *awsproto.Error) {
	tags := in.tags(true)
	if e := in.err(); e != nil {
		return tagEdit{}, e
	}
	if e := checkTagKeys(tags); e != nil {
		return tagEdit{}, e
	}
	return tagEdit{keys: tagContext(tags, nil), change: func(current []store.Tag) ([]store.Tag, *awsproto.Error) {
		return mergeTags(current, tags, kind)
	}}, nil
}

// readUntagEdit reads an Untag* call's TagKeys, as readTagEdit its Tags.
func readUntagEdit(in *input) (tagEdit, *awsproto.Error) {
	keys := in.tagKeys()
	if e := in.err(); e != nil {
		return tagEdit{}, e
	}
	return tagEdit{keys: map[string][]string{"aws:TagKeys": keys}, change: func(current []store.Tag) ([]store.Tag, *awsproto.Error) {
		return removeTags(current, keys), nil
	}}, nil
}

// tagKeys reads TagKeys.member.N for Untag* calls.
func (in *input) tagKeys() []string {
	keys := in.list("TagKeys", true, 1, 128, &tagKeyPattern)
	if len(keys) > maxTags {
		in.fail(fmt.Sprint(len(keys)), "tagKeys", fmt.Sprintf("Member must have length less than or equal to %d", maxTags))
	}
	return keys
}

// listTagsResult is List<Entity>TagsResult; its element name is set per action.
type listTagsResult struct {
	XMLName xml.Name
	Tags    members[tagXML] `xml:"Tags"`
	pageXML
}

// tagsPage answers a List*Tags call with a page of tags.
func tagsPage(call *awsproto.Call, tags []store.Tag, req pageRequest) (any, *awsproto.Error) {
	page, p, e := paginate(tags, func(t store.Tag) string { return nameKey(t.Key) }, req)
	if e != nil {
		return nil, e
	}
	return listTagsResult{XMLName: xml.Name{Local: call.Action + "Result"}, Tags: memberList(toTagsXML(page)), pageXML: p}, nil
}
