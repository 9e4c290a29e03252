package blob

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"
)

var listKeys = []string{
	"a", "a/", "a/b", "a/b/c", "a/c", "a\x01", "a0", "b", "b/../x", "z", "~",
	"é", "日本/語", "\u007f", "A", "a b", "a%2Fb",
}

func keysOf(infos []Info) []string {
	var out []string
	for _, i := range infos {
		out = append(out, i.Key)
	}
	return out
}

func TestListOrderPrefixAfterLimit(t *testing.T) {
	s, root := newStore(t, WithoutSync())
	for _, i := range rand.Perm(len(listKeys)) {
		mustPut(t, s, listKeys[i], []byte(listKeys[i]))
	}
	sorted := slices.Sorted(slices.Values(listKeys))
	cases := []struct {
		prefix, after string
		limit         int
		want          []string
		truncated     bool
	}{
		{"", "", 0, sorted, false},
		{"a/", "", 0, []string{"a/", "a/b", "a/b/c", "a/c"}, false},
		{"a/", "a/b", 0, []string{"a/b/c", "a/c"}, false},
		{"a/", "a/b", 1, []string{"a/b/c"}, true},
		{"a/", "a/c", 1, nil, false},
		{"a/", "0", 2, []string{"a/", "a/b"}, true},
		{"a", "zz", 0, nil, false},
		{"", "b", 3, []string{"b/../x", "z", "~"}, true},
		{"nothing", "", 0, nil, false},
	}
	for _, c := range cases {
		for _, fresh := range []bool{false, true} {
			st := s
			if fresh { // a new Store answers from a scan of the files
				st, _ = Open(root, WithoutSync())
			}
			got, trunc, err := st.List(testBucket, c.prefix, c.after, c.limit)
			if err != nil || !reflect.DeepEqual(keysOf(got), c.want) || trunc != c.truncated {
				t.Errorf("List(%q, %q, %d) fresh=%v = %q, %v, %v; want %q, %v",
					c.prefix, c.after, c.limit, fresh, keysOf(got), trunc, err, c.want, c.truncated)
			}
		}
	}
}

func TestListFieldsAndPaging(t *testing.T) {
	s, root := newStore(t, WithoutSync())
	for i := range 250 {
		mustPut(t, s, fmt.Sprintf("k%04d", i), []byte{byte(i)})
	}
	if err := s.Delete(testBucket, "k0100"); err != nil {
		t.Fatal(err)
	}
	mustPut(t, s, "k0005", []byte("longer"))
	var all []string
	after := ""
	for {
		page, truncated, err := s.List(testBucket, "k", after, 100)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, keysOf(page)...)
		if !truncated {
			break
		}
		after = page[len(page)-1].Key
	}
	if len(all) != 249 || !slices.IsSorted(all) || slices.Contains(all, "k0100") {
		t.Fatalf("paged listing returned %d keys", len(all))
	}
	fresh, _ := Open(root, WithoutSync())
	for _, st := range []*Store{s, fresh} {
		got, _, _ := st.List(testBucket, "k0005", "", 1)
		head, _ := st.Head(testBucket, "k0005")
		if len(got) != 1 || got[0].Size != 6 || got[0].ETag != head.ETag || !got[0].LastModified.Equal(head.LastModified) {
			t.Fatalf("listing fields: %+v", got)
		}
	}
}

// TestScanSpeed measures the first List of a bucket of 10,000 objects, which
// builds the index by reading every header.
func TestScanListsManyObjects(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	s, root := newStore(t, WithoutSync())
	const n = 10_000
	for i := range n {
		mustPut(t, s, fmt.Sprintf("obj/%08d", i), []byte("small body"))
	}
	fresh, err := Open(root, WithoutSync())
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	got, truncated, err := fresh.List(testBucket, "", "", 1000)
	took := time.Since(start)
	if err != nil || len(got) != 1000 || !truncated {
		t.Fatalf("List: %d, %v, %v", len(got), truncated, err)
	}
	// Timing is reported, not asserted: performance lives in benchmarks.
	t.Logf("first List over %d objects (scan of headers): %v", n, took)
	start = time.Now()
	fresh.List(testBucket, "obj/00005", "", 1000)
	t.Logf("indexed List: %v", time.Since(start))
}
