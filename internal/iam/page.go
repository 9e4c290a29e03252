package iam

import (
	"context"
	"encoding/base64"
	"slices"
	"strings"

	"github.com/sekisho/sekisho/internal/awsproto"
	"github.com/sekisho/sekisho/internal/store"
)

const defaultMaxItems = 100

// pageRequest is a List call's Marker and MaxItems.
type pageRequest struct {
	marker   string
	maxItems int
}

// pageXML is the IsTruncated/Marker pair every List result carries.
type pageXML struct {
	IsTruncated bool   `xml:"IsTruncated"`
	Marker      string `xml:"Marker,omitempty"`
}

// paginate sorts items by key and returns those after the request's
// marker, at most maxItems of them. The marker is opaque to clients: the
// base64 of the last key returned, so a page stays correct when items
// before it are added or deleted between calls.
func paginate[T any](items []T, key func(T) string, req pageRequest) ([]T, pageXML, *awsproto.Error) {
	sorted := slices.Clone(items)
	slices.SortStableFunc(sorted, func(a, b T) int { return strings.Compare(key(a), key(b)) })
	start := 0
	if req.marker != "" {
		after, err := base64.RawURLEncoding.DecodeString(req.marker)
		if err != nil {
			return nil, pageXML{}, invalidInput("Invalid Marker.")
		}
		start, _ = slices.BinarySearchFunc(sorted, string(after), func(item T, target string) int {
			if key(item) <= target {
				return -1
			}
			return 1
		})
	}
	maxItems := req.maxItems
	if maxItems <= 0 {
		maxItems = defaultMaxItems
	}
	end := min(start+maxItems, len(sorted))
	page := sorted[start:end]
	if end == len(sorted) {
		return page, pageXML{}, nil
	}
	next := base64.RawURLEncoding.EncodeToString([]byte(key(page[len(page)-1])))
	return page, pageXML{IsTruncated: true, Marker: next}, nil
}

// nameKey sorts entities by name as IAM compares them: case-insensitively,
// the stored spelling breaking ties.
func nameKey(name string) string { return strings.ToLower(name) + "\x00" + name }

// listByPath serves the List* calls filtered by PathPrefix: it reads the
// prefix and paging parameters, authorizes the call on the ARN the prefix
// names, reads the entities and returns one page of them.
func listByPath[T any](s *Service, ctx context.Context, call *awsproto.Call, arnOf func(account, prefix string) string,
	list func(tx store.Tx, account, prefix string) ([]T, error), name func(T) string) ([]T, pageXML, *awsproto.Error) {
	in := newInput(call.Params)
	prefix := in.pathPrefix()
	req := in.pageRequest()
	if e := in.err(); e != nil {
		return nil, pageXML{}, e
	}
	account := callerAccount(call)
	if e := s.authorize(ctx, call, account, arnOf(account, prefix), nil); e != nil {
		return nil, pageXML{}, e
	}
	items, err := store.Read(ctx, s.store, func(tx store.Tx) ([]T, error) { return list(tx, account, prefix) })
	if err != nil {
		return nil, pageXML{}, s.internal(err)
	}
	return paginate(items, func(x T) string { return nameKey(name(x)) }, req)
}
