package blob

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// VersionQuery selects one page of ListVersions, with the meaning of
// ListObjectVersions' parameters.
type VersionQuery struct {
	Prefix    string // only keys starting with it
	Delimiter string // roll keys up to common prefixes ("" for none)
	// KeyMarker alone starts after that key (after the whole common prefix
	// when it names one); with VersionIDMarker, after that version of it.
	KeyMarker       string
	VersionIDMarker string
	MaxKeys         int // versions, delete markers and common prefixes per page; < 1: no limit
}

// VersionPage is one page of ListVersions.
type VersionPage struct {
	// Versions are versions and delete markers (DeleteMarker set), keys
	// ascending and each key's versions newest first, with IsLatest set.
	// They hold the listing fields of List's Infos plus VersionID and
	// DeleteMarker.
	Versions       []Info
	CommonPrefixes []string // ascending
	// Truncated says more entries follow; NextKeyMarker and
	// NextVersionIDMarker (empty after a common prefix) continue after the
	// last entry of this page.
	Truncated           bool
	NextKeyMarker       string
	NextVersionIDMarker string
}

// ListVersions returns a page of the versions and delete markers of bucket
// in S3's order. A VersionIDMarker without a KeyMarker gives
// ErrInvalidArgument, a malformed one ErrInvalidVersionID. A
// VersionIDMarker that no longer exists continues with the versions of
// KeyMarker older than it (for "null", with the next key).
func (s *Store) ListVersions(bucket string, q VersionQuery) (VersionPage, error) {
	page, err := s.listVersions(bucket, q)
	if err != nil {
		return VersionPage{}, opError("list versions", bucket, "", err)
	}
	return page, nil
}

func (s *Store) listVersions(bucket string, q VersionQuery) (VersionPage, error) {
	if q.VersionIDMarker != "" {
		if q.KeyMarker == "" {
			return VersionPage{}, fmt.Errorf("%w: a version-id marker cannot be specified without a key marker", ErrInvalidArgument)
		}
		if err := checkVersionID(q.VersionIDMarker); err != nil {
			return VersionPage{}, err
		}
	}
	if err := s.checkBucketDir(bucket); err != nil {
		return VersionPage{}, err
	}
	b := s.state(bucket)
	b.mu.lockReading()
	defer b.mu.unlockReading()
	if err := s.load(bucket, b); err != nil {
		return VersionPage{}, err
	}
	l := versionLister{q: q, index: b.index}
	l.run()
	return l.page, nil
}

// versionLister fills one page from a bucket's index.
type versionLister struct {
	q     VersionQuery
	index []*keyEntry
	page  VersionPage
	count int
}

// full reports whether the page holds MaxKeys entries; called before
// adding one, it marks the page truncated.
func (l *versionLister) full() bool {
	if l.q.MaxKeys > 0 && l.count == l.q.MaxKeys {
		l.page.Truncated = true
		return true
	}
	return false
}

func (l *versionLister) run() {
	i, first := l.start()
	for i < len(l.index) {
		e := l.index[i]
		if !strings.HasPrefix(e.key, l.q.Prefix) {
			return
		}
		if cp := l.commonPrefix(e.key); cp != "" {
			if l.full() {
				return
			}
			l.page.CommonPrefixes = append(l.page.CommonPrefixes, cp)
			l.page.NextKeyMarker, l.page.NextVersionIDMarker = cp, ""
			l.count++
			i = l.after(cp)
			first = 0
			continue
		}
		for j := first; j < len(e.versions); j++ {
			if l.full() {
				return
			}
			v := versionCopy(e.versions[j], j == 0)
			l.page.Versions = append(l.page.Versions, v)
			l.page.NextKeyMarker, l.page.NextVersionIDMarker = v.Key, v.VersionID
			l.count++
		}
		i, first = i+1, 0
	}
}

// start returns the index of the first key to list and the position of
// the first version of it.
func (l *versionLister) start() (int, int) {
	i, _ := slices.BinarySearchFunc(l.index, l.q.Prefix, byKey)
	marker := l.q.KeyMarker
	if marker == "" || marker < l.q.Prefix {
		return i, 0
	}
	if cp := l.commonPrefix(marker); cp != "" {
		return l.after(cp), 0 // the whole prefix was listed as one entry
	}
	i, found := slices.BinarySearchFunc(l.index, marker, byKey)
	if !found {
		return i, 0
	}
	if l.q.VersionIDMarker == "" {
		return i + 1, 0
	}
	if j := versionAfter(l.index[i].versions, l.q.VersionIDMarker); j < len(l.index[i].versions) {
		return i, j
	}
	return i + 1, 0
}

// versionAfter returns the position in vs (newest first) of the first
// version listed after versionID.
func versionAfter(vs []*Info, versionID string) int {
	if j := slices.IndexFunc(vs, func(v *Info) bool { return v.VersionID == versionID }); j >= 0 {
		return j + 1
	}
	if versionID == NullVersion {
		return len(vs)
	}
	seq, err := strconv.ParseUint(versionID[:16], 16, 64)
	if err != nil {
		return len(vs)
	}
	// The marker's version is gone (deleted while paging, as emptying a
	// bucket does): continue with the first version older than it, the
	// latest included, since the latest always has the highest Seq left.
	for j, v := range vs {
		if v.Seq < int64(seq) {
			return j
		}
	}
	return len(vs)
}

// commonPrefix returns the common prefix key rolls up to, or "".
func (l *versionLister) commonPrefix(key string) string {
	if l.q.Delimiter == "" || !strings.HasPrefix(key, l.q.Prefix) {
		return ""
	}
	rest := key[len(l.q.Prefix):]
	if n := strings.Index(rest, l.q.Delimiter); n >= 0 {
		return l.q.Prefix + rest[:n+len(l.q.Delimiter)]
	}
	return ""
}

// after returns the index of the first key past every key starting with
// cp.
func (l *versionLister) after(cp string) int {
	return sort.Search(len(l.index), func(i int) bool {
		k := l.index[i].key
		return k > cp && !strings.HasPrefix(k, cp)
	})
}
