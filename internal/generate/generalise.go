package generate

import (
	"sort"
	"strings"
)

// s3ARN is the prefix of S3 bucket and object ARNs.
const s3ARN = "arn:aws:s3:::"

// prefixKey is the condition key list-type actions keep.
const prefixKey = "s3:prefix"

// listActions are the list-type S3 actions whose s3:prefix condition is kept.
var listActions = map[string]bool{
	"s3:ListBucket": true, "s3:ListBucketVersions": true, "s3:ListBucketMultipartUploads": true,
}

// grant is one action allowed on one resource, with the s3:prefix values
// a list-type action must be limited to (none: unconditional).
type grant struct {
	action, resource string
	prefixes         []string
}

// generalise turns allowed events into grants: object keys collapse to
// prefix/* when more than n were touched under one prefix, list-type
// actions keep the prefixes they listed (collapsed the same way), and
// every other resource stays exact.
func generalise(allowed []Event, n int) ([]grant, []Collapse) {
	type pair struct{ action, resource string }
	used := map[pair]bool{}
	keysByBucket := map[string]map[string]bool{}
	type listing struct {
		prefixes      map[string]bool
		unconditioned bool
	}
	listings := map[pair]*listing{}
	for i := range allowed {
		e := &allowed[i]
		if listActions[e.Action] {
			p := pair{e.Action, e.Resource}
			l := listings[p]
			if l == nil {
				l = &listing{prefixes: map[string]bool{}}
				listings[p] = l
			}
			if v := e.value(prefixKey); v != "" {
				l.prefixes[v] = true
			} else {
				l.unconditioned = true
			}
			continue
		}
		used[pair{e.Action, e.Resource}] = true
		if bucket, key, ok := objectOf(e.Resource); ok {
			if keysByBucket[bucket] == nil {
				keysByBucket[bucket] = map[string]bool{}
			}
			keysByBucket[bucket][key] = true
		}
	}
	var collapses []Collapse
	patternOf := map[string]string{} // object ARN -> its (maybe collapsed) ARN
	for _, bucket := range sortedKeys2(keysByBucket) {
		mapping, cs := collapse(keysByBucket[bucket], n)
		for key, pattern := range mapping {
			patternOf[s3ARN+bucket+"/"+key] = s3ARN + bucket + "/" + pattern
		}
		for _, c := range cs {
			collapses = append(collapses, Collapse{Pattern: s3ARN + bucket + "/" + c.Pattern, Keys: c.Keys})
		}
	}
	seen := map[pair]bool{}
	var out []grant
	for p := range used {
		if pat, ok := patternOf[p.resource]; ok {
			p.resource = pat
		}
		if !seen[p] {
			seen[p] = true
			out = append(out, grant{action: p.action, resource: p.resource})
		}
	}
	for p, l := range listings {
		g := grant{action: p.action, resource: p.resource}
		if !l.unconditioned {
			mapping, cs := collapse(l.prefixes, n)
			set := map[string]bool{}
			for _, v := range mapping {
				set[v] = true
			}
			g.prefixes = sortedKeys(set)
			for _, c := range cs {
				collapses = append(collapses, Collapse{Pattern: p.resource + " " + prefixKey + " " + c.Pattern, Keys: c.Keys})
			}
		}
		out = append(out, g)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].resource != out[j].resource {
			return out[i].resource < out[j].resource
		}
		return out[i].action < out[j].action
	})
	sort.Slice(collapses, func(i, j int) bool { return collapses[i].Pattern < collapses[j].Pattern })
	return out, collapses
}

// objectOf splits an S3 object ARN into bucket and key.
func objectOf(resource string) (bucket, key string, ok bool) {
	rest, isS3 := strings.CutPrefix(resource, s3ARN)
	if !isS3 {
		return "", "", false
	}
	bucket, key, ok = strings.Cut(rest, "/")
	return bucket, key, ok && bucket != "" && key != ""
}

// collapse maps each key (or listed prefix) to itself, or to p* for the
// shallowest collapsed prefix p above it (p ends in "/", or is "" for
// the top). A prefix collapses when more than n entries sit directly
// under it, an entry being a key or a collapsed deeper prefix; prefixes
// are decided deepest first. It returns the mapping and each collapse.
func collapse(keys map[string]bool, n int) (map[string]string, []Collapse) {
	direct := map[string]int{}               // prefix -> keys directly under it
	children := map[string]map[string]bool{} // prefix -> prefixes directly under it
	for k := range keys {
		direct[parent(k)]++
		for p := parent(k); p != ""; p = parent(p) {
			up := parent(p)
			if children[up] == nil {
				children[up] = map[string]bool{}
			}
			children[up][p] = true
			if _, ok := direct[p]; !ok {
				direct[p] = 0
			}
		}
	}
	prefixes := sortedKeys2(direct)
	sort.SliceStable(prefixes, func(i, j int) bool {
		return strings.Count(prefixes[i], "/") > strings.Count(prefixes[j], "/")
	})
	collapsed := map[string]bool{}
	for _, p := range prefixes {
		entries := direct[p]
		for c := range children[p] {
			if collapsed[c] {
				entries++
			}
		}
		collapsed[p] = entries > n
	}
	mapping := make(map[string]string, len(keys))
	covered := map[string]int{}
	for k := range keys {
		mapping[k] = k
		for _, p := range ancestors(k) { // shallowest first
			if collapsed[p] {
				mapping[k] = p + "*"
				covered[p]++
				break
			}
		}
	}
	var cs []Collapse
	for p, count := range covered {
		cs = append(cs, Collapse{Pattern: p + "*", Keys: count})
	}
	return mapping, cs
}

// parent is the prefix a key or prefix sits directly under: "a/b/c" and
// "a/b/c/" are under "a/b/", "a" under "".
func parent(k string) string {
	k = strings.TrimSuffix(k, "/")
	i := strings.LastIndexByte(k, '/')
	if i < 0 {
		return ""
	}
	return k[:i+1]
}

// ancestors lists the prefixes above k, shallowest ("") first.
func ancestors(k string) []string {
	var out []string
	for p := parent(k); ; p = parent(p) {
		out = append(out, p)
		if p == "" {
			break
		}
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

func sortedKeys2[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
