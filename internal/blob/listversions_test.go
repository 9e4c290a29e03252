package blob

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// versionModel is what the versions of each key should be, newest first,
// worked out from S3's rules independently of the store.
type versionModel map[string][]Info

// apply records a write or delete marker in state v.
func (m versionModel) apply(info Info) {
	vs := m[info.Key]
	if info.VersionID == NullVersion {
		vs = slices.DeleteFunc(vs, func(o Info) bool { return o.VersionID == NullVersion })
	}
	m[info.Key] = append([]Info{info}, vs...)
}

// entries lists the model as ListVersions would with prefix and delimiter:
// "V key id" per version and "P prefix" per common prefix.
func (m versionModel) entries(prefix, delimiter string) []string {
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	})
	var out []string
	for _, k := range keys {
		if !strings.HasPrefix(k, prefix) {
			continue
		}
		if i := strings.Index(k[len(prefix):], delimiter); delimiter != "" && i >= 0 {
			cp := "P " + k[:len(prefix)+i+len(delimiter)]
			if len(out) == 0 || out[len(out)-1] != cp {
				out = append(out, cp)
			}
			continue
		}
		for _, v := range m[k] {
			out = append(out, "V "+k+" "+v.VersionID)
		}
	}
	return out
}

// pageEntries renders a page as model entries, in listing order.
func pageEntries(p VersionPage) []string {
	var out []string
	vi, ci := 0, 0
	for vi < len(p.Versions) || ci < len(p.CommonPrefixes) {
		if ci == len(p.CommonPrefixes) || vi < len(p.Versions) && p.Versions[vi].Key < p.CommonPrefixes[ci] {
			out = append(out, "V "+p.Versions[vi].Key+" "+p.Versions[vi].VersionID)
			vi++
		} else {
			out = append(out, "P "+p.CommonPrefixes[ci])
			ci++
		}
	}
	return out
}

// listAllPages pages through ListVersions max entries at a time.
func listAllPages(t *testing.T, s *Store, prefix, delimiter string, max int) []string {
	t.Helper()
	q := VersionQuery{Prefix: prefix, Delimiter: delimiter, MaxKeys: max}
	var out []string
	for pages := 0; ; pages++ {
		p, err := s.ListVersions(testBucket, q)
		if err != nil {
			t.Fatal(err)
		}
		got := pageEntries(p)
		if max > 0 && len(got) > max || p.Truncated && len(got) != max || pages > 1000 {
			t.Fatalf("page of %d entries (max %d, truncated %v)", len(got), max, p.Truncated)
		}
		out = append(out, got...)
		if !p.Truncated {
			return out
		}
		q.KeyMarker, q.VersionIDMarker = p.NextKeyMarker, p.NextVersionIDMarker
	}
}

func TestListVersionsPagingPrefixDelimiter(t *testing.T) {
	s, root := newStore(t, WithoutSync())
	keys := []string{"a", "a/b", "a/b/c", "a/c", "b", "c/x/y", "c/z", "d", "d/", "é/1", "z"}
	model := versionModel{}
	r := rand.New(rand.NewPCG(7, 11))
	for range 60 {
		key := keys[r.IntN(len(keys))]
		v := []Versioning{Unversioned, VersioningEnabled, VersioningEnabled, VersioningSuspended}[r.IntN(4)]
		var info Info
		var err error
		if r.IntN(4) == 0 {
			info, err = s.PutDeleteMarker(testBucket, key, v)
		} else {
			info, err = s.PutVersion(testBucket, key, strings.NewReader(key), Meta{}, nil, v)
		}
		if err != nil {
			t.Fatal(err)
		}
		model.apply(info)
	}
	fresh, _ := Open(root, WithoutSync())
	for _, st := range []*Store{s, fresh} {
		full, _ := st.ListVersions(testBucket, VersionQuery{})
		for i, v := range full.Versions {
			want := model[v.Key]
			pos := slices.IndexFunc(want, func(o Info) bool { return o.VersionID == v.VersionID })
			if pos < 0 || v.IsLatest != (pos == 0) || v.DeleteMarker != want[pos].DeleteMarker || v.ETag != want[pos].ETag {
				t.Fatalf("entry %d %+v does not match the model %+v", i, v, want)
			}
		}
		for _, c := range []struct{ prefix, delimiter string }{
			{"", ""}, {"", "/"}, {"a", "/"}, {"a/", "/"}, {"a/b", ""}, {"c/", "/"}, {"", "b"}, {"d", "/"}, {"nothing", "/"},
		} {
			want := model.entries(c.prefix, c.delimiter)
			for _, max := range []int{0, 1, 2, 3, 7, 1000} {
				got := listAllPages(t, st, c.prefix, c.delimiter, max)
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("prefix %q delimiter %q max %d:\n got %q\nwant %q", c.prefix, c.delimiter, max, got, want)
				}
			}
		}
	}
}

// TestListVersionsMarkerOfDeletedVersion: paging goes on when the version
// a page ended on is deleted before the next page is asked for.
func TestListVersionsMarkerOfDeletedVersion(t *testing.T) {
	s, _ := newStore(t, WithoutSync())
	var ids []string
	for i := range 4 {
		ids = append(ids, putV(t, s, "k", []byte(fmt.Sprint(i)), VersioningEnabled).VersionID)
	}
	putV(t, s, "l", []byte("l"), VersioningEnabled)
	// Newest first: ids[3], ids[2], ids[1], ids[0]. A page ends on ids[2].
	if _, err := s.DeleteVersion(testBucket, "k", ids[2]); err != nil {
		t.Fatal(err)
	}
	p, err := s.ListVersions(testBucket, VersionQuery{KeyMarker: "k", VersionIDMarker: ids[2], MaxKeys: 2})
	if err != nil {
		t.Fatal(err)
	}
	if got := rowsOf(p.Versions); len(got) != 2 || got[0].id != ids[1] || got[1].id != ids[0] || !p.Truncated {
		t.Fatalf("page after a deleted marker version: %+v truncated=%v", got, p.Truncated)
	}
	// KeyMarker alone skips the whole key.
	p, _ = s.ListVersions(testBucket, VersionQuery{KeyMarker: "k"})
	if len(p.Versions) != 1 || p.Versions[0].Key != "l" || p.Truncated {
		t.Fatalf("after key marker k: %+v", p.Versions)
	}
}

// TestListVersionsDeletingWhilePaging: emptying a bucket page by page
// deletes each page's versions before asking for the next, so the
// version-id marker names a version that is gone; the next page goes on
// with the versions older than it, the key's new latest included.
func TestListVersionsDeletingWhilePaging(t *testing.T) {
	s, _ := newStore(t)
	if err := s.CreateBucketDir("b"); err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, key := range []string{"k0", "k1"} {
		for i := range 3 {
			if _, err := s.PutVersion("b", key, strings.NewReader(fmt.Sprint(i)), Meta{}, nil, VersioningEnabled); err != nil {
				t.Fatal(err)
			}
			total++
		}
	}
	removed := 0
	q := VersionQuery{MaxKeys: 2}
	for range 10 {
		page, err := s.ListVersions("b", q)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range page.Versions {
			if _, err := s.DeleteVersion("b", v.Key, v.VersionID); err != nil {
				t.Fatal(err)
			}
			removed++
		}
		if !page.Truncated {
			break
		}
		q.KeyMarker, q.VersionIDMarker = page.NextKeyMarker, page.NextVersionIDMarker
	}
	if removed != total {
		t.Fatalf("paging while deleting removed %d of %d versions", removed, total)
	}
}
