package blob

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"testing"
)

// putV stores body as a version of key in state v.
func putV(t testing.TB, s *Store, key string, body []byte, v Versioning) Info {
	t.Helper()
	info, err := s.PutVersion(testBucket, key, bytes.NewReader(body), Meta{}, nil, v)
	if err != nil {
		t.Fatal(err)
	}
	return info
}

// readVersion reads the body of one version.
func readVersion(t testing.TB, s *Store, key, id string) []byte {
	t.Helper()
	_, body, err := s.GetVersion(testBucket, key, id)
	if err != nil {
		t.Fatalf("GetVersion(%q, %q): %v", key, id, err)
	}
	defer body.Close()
	b, err := io.ReadAll(body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// versionRow is what a test expects of one listed version.
type versionRow struct {
	key, id string
	latest  bool
	marker  bool
}

func rowsOf(infos []Info) []versionRow {
	var out []versionRow
	for _, i := range infos {
		out = append(out, versionRow{i.Key, i.VersionID, i.IsLatest, i.DeleteMarker})
	}
	return out
}

// wantVersions checks the full version listing, from this store's index
// and from a fresh scan of the files.
func wantVersions(t *testing.T, s *Store, root string, want []versionRow) {
	t.Helper()
	fresh, err := Open(root, WithoutSync())
	if err != nil {
		t.Fatal(err)
	}
	for name, st := range map[string]*Store{"index": s, "scan": fresh} {
		page, err := st.ListVersions(testBucket, VersionQuery{})
		if err != nil {
			t.Fatal(err)
		}
		if got := rowsOf(page.Versions); !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: ListVersions =\n%+v\nwant\n%+v", name, got, want)
		}
	}
}

func TestVersioningStateTransitions(t *testing.T) {
	s, root := newStore(t, WithoutSync())
	// Unversioned: writes replace the null version.
	null1 := putV(t, s, "k", []byte("null 1"), Unversioned)
	null2 := putV(t, s, "k", []byte("null 2"), Unversioned)
	if null1.VersionID != NullVersion || null2.VersionID != NullVersion || !null2.IsLatest {
		t.Fatalf("unversioned writes got version IDs %q, %q", null1.VersionID, null2.VersionID)
	}
	wantVersions(t, s, root, []versionRow{{"k", "null", true, false}})

	// Enabled: new IDs, the null version stays as a noncurrent version.
	v1 := putV(t, s, "k", []byte("v1"), VersioningEnabled)
	v2 := putV(t, s, "k", []byte("v2"), VersioningEnabled)
	if checkVersionID(v1.VersionID) != nil || v1.VersionID == NullVersion || v1.VersionID == v2.VersionID {
		t.Fatalf("enabled writes got version IDs %q, %q", v1.VersionID, v2.VersionID)
	}
	wantVersions(t, s, root, []versionRow{{"k", v2.VersionID, true, false}, {"k", v1.VersionID, false, false}, {"k", "null", false, false}})
	if got := readAll(t, s, "k"); string(got) != "v2" {
		t.Fatalf("latest = %q", got)
	}
	for id, want := range map[string]string{v1.VersionID: "v1", v2.VersionID: "v2", NullVersion: "null 2"} {
		if got := readVersion(t, s, "k", id); string(got) != want {
			t.Fatalf("version %s = %q, want %q", id, got, want)
		}
	}

	// Suspended: a write replaces the null version, keeps the others.
	null3 := putV(t, s, "k", []byte("null 3"), VersioningSuspended)
	if null3.VersionID != NullVersion {
		t.Fatalf("suspended write got %q", null3.VersionID)
	}
	wantVersions(t, s, root, []versionRow{{"k", "null", true, false}, {"k", v2.VersionID, false, false}, {"k", v1.VersionID, false, false}})
	if got := readVersion(t, s, "k", NullVersion); string(got) != "null 3" {
		t.Fatalf("null version = %q", got)
	}

	// Suspended delete: a null delete marker replaces the null version.
	m1, err := s.PutDeleteMarker(testBucket, "k", VersioningSuspended)
	if err != nil || m1.VersionID != NullVersion || !m1.DeleteMarker {
		t.Fatalf("suspended delete marker %+v, %v", m1, err)
	}
	wantVersions(t, s, root, []versionRow{{"k", "null", true, true}, {"k", v2.VersionID, false, false}, {"k", v1.VersionID, false, false}})
	info, _, err := s.Get(testBucket, "k")
	wantErr(t, err, ErrNoSuchKey)
	wantErr(t, err, ErrDeleteMarker)
	if !info.DeleteMarker || info.VersionID != NullVersion {
		t.Fatalf("Get of a deleted key gave %+v", info)
	}

	// Enabled again: a delete marker with a new ID on top.
	m2, err := s.PutDeleteMarker(testBucket, "k", VersioningEnabled)
	if err != nil || m2.VersionID == NullVersion {
		t.Fatalf("delete marker %+v, %v", m2, err)
	}
	wantVersions(t, s, root, []versionRow{{"k", m2.VersionID, true, true}, {"k", "null", false, true},
		{"k", v2.VersionID, false, false}, {"k", v1.VersionID, false, false}})

	// Removing the latest versions one by one brings older ones back.
	for _, step := range []struct {
		id, want string
		marker   bool
	}{{m2.VersionID, "", true}, {NullVersion, "v2", true}} {
		del, err := s.DeleteVersion(testBucket, "k", step.id)
		if err != nil || del.DeleteMarker != step.marker || del.VersionID != step.id {
			t.Fatalf("DeleteVersion(%s) = %+v, %v", step.id, del, err)
		}
	}
	if got := readAll(t, s, "k"); string(got) != "v2" {
		t.Fatalf("after removing the markers latest = %q", got)
	}
	wantVersions(t, s, root, []versionRow{{"k", v2.VersionID, true, false}, {"k", v1.VersionID, false, false}})
	// A noncurrent version goes without touching the latest.
	if _, err := s.DeleteVersion(testBucket, "k", v1.VersionID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeleteVersion(testBucket, "k", v2.VersionID); err != nil {
		t.Fatal(err)
	}
	wantVersions(t, s, root, nil)
	_, err = s.Head(testBucket, "k")
	wantErr(t, err, ErrNoSuchKey)
	if errors.Is(err, ErrDeleteMarker) {
		t.Fatal("a key without versions reported as a delete marker")
	}
}

func TestUnversionedDeleteRemovesOnlyTheNullVersion(t *testing.T) {
	s, root := newStore(t, WithoutSync())
	putV(t, s, "k", []byte("null"), Unversioned)
	v1 := putV(t, s, "k", []byte("v1"), VersioningEnabled)
	if err := s.Delete(testBucket, "k"); err != nil {
		t.Fatal(err)
	}
	wantVersions(t, s, root, []versionRow{{"k", v1.VersionID, true, false}})
	if err := s.Delete(testBucket, "k"); err != nil { // no null version: still no error
		t.Fatal(err)
	}
	if err := s.Delete(testBucket, "never"); err != nil {
		t.Fatal(err)
	}
	wantErr(t, s.Delete("nobucket", "k"), ErrNoSuchBucket)
}

func TestDeleteMarkerSemantics(t *testing.T) {
	s, _ := newStore(t, WithoutSync())
	v1 := putV(t, s, "k", []byte("v1"), VersioningEnabled)
	m, err := s.PutDeleteMarker(testBucket, "k", VersioningEnabled)
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Head(testBucket, "k")
	wantErr(t, err, ErrNoSuchKey)
	// Asked for by ID, a delete marker is 405, not 404.
	info, err := s.HeadVersion(testBucket, "k", m.VersionID)
	wantErr(t, err, ErrDeleteMarker)
	if errors.Is(err, ErrNoSuchKey) || info.VersionID != m.VersionID || !info.DeleteMarker || !info.IsLatest {
		t.Fatalf("HeadVersion(marker) = %+v, %v", info, err)
	}
	_, _, err = s.GetVersion(testBucket, "k", m.VersionID)
	wantErr(t, err, ErrDeleteMarker)
	_, err = s.SetVersionTags(testBucket, "k", m.VersionID, map[string]string{"a": "b"})
	wantErr(t, err, ErrDeleteMarker)
	// The old version is still there by ID, and not the latest.
	if info, err := s.HeadVersion(testBucket, "k", v1.VersionID); err != nil || info.IsLatest {
		t.Fatalf("HeadVersion(v1) = %+v, %v", info, err)
	}
	// List leaves the key out; BucketEmpty does not.
	if infos, _, _ := s.List(testBucket, "", "", 0); len(infos) != 0 {
		t.Fatalf("List shows a deleted key: %+v", infos)
	}
	// A delete marker is no object for conditional writes.
	_, err = s.Put(testBucket, "k", bytes.NewReader(nil), Meta{Precondition: Precondition{IfMatch: "*"}}, nil)
	wantErr(t, err, ErrNoSuchKey)
	if _, err := s.PutVersion(testBucket, "k", bytes.NewReader([]byte("v2")), Meta{Precondition: Precondition{IfNoneMatch: true}}, nil, VersioningEnabled); err != nil {
		t.Fatalf("If-None-Match over a delete marker: %v", err)
	}
	// A marker on a key that never existed is stored too.
	if _, err := s.PutDeleteMarker(testBucket, "ghost", VersioningEnabled); err != nil {
		t.Fatal(err)
	}
	page, _ := s.ListVersions(testBucket, VersionQuery{Prefix: "ghost"})
	if len(page.Versions) != 1 || !page.Versions[0].DeleteMarker {
		t.Fatalf("ghost versions %+v", page.Versions)
	}
}

func TestVersionIDErrors(t *testing.T) {
	s, _ := newStore(t, WithoutSync())
	v := putV(t, s, "k", []byte("x"), VersioningEnabled)
	for _, bad := range []string{"../k", "NULL", "abc", v.VersionID + "0", "ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ"} {
		_, _, err := s.GetVersion(testBucket, "k", bad)
		wantErr(t, err, ErrInvalidVersionID)
		_, err = s.DeleteVersion(testBucket, "k", bad)
		wantErr(t, err, ErrInvalidVersionID)
	}
	missing := "0000000000000001" + "0123456789abcdef"
	_, _, err := s.GetVersion(testBucket, "k", missing)
	wantErr(t, err, ErrNoSuchVersion)
	_, err = s.HeadVersion(testBucket, "k", NullVersion)
	wantErr(t, err, ErrNoSuchVersion)
	_, err = s.DeleteVersion(testBucket, "k", missing)
	wantErr(t, err, ErrNoSuchVersion)
	_, err = s.DeleteVersion(testBucket, "other", missing)
	wantErr(t, err, ErrNoSuchVersion)
	_, _, err = s.GetVersion("nobucket", "k", v.VersionID)
	wantErr(t, err, ErrNoSuchBucket)
	_, err = s.DeleteVersion("nobucket", "k", v.VersionID)
	wantErr(t, err, ErrNoSuchBucket)
	_, err = s.PutDeleteMarker("nobucket", "k", VersioningEnabled)
	wantErr(t, err, ErrNoSuchBucket)
	_, err = s.ListVersions(testBucket, VersionQuery{VersionIDMarker: v.VersionID})
	wantErr(t, err, ErrInvalidArgument)
	_, err = s.ListVersions(testBucket, VersionQuery{KeyMarker: "k", VersionIDMarker: "../x"})
	wantErr(t, err, ErrInvalidVersionID)
	_, err = s.ListVersions("nobucket", VersionQuery{})
	wantErr(t, err, ErrNoSuchBucket)
}

func TestVersionTags(t *testing.T) {
	s, _ := newStore(t, WithoutSync())
	v1 := putV(t, s, "k", []byte("v1"), VersioningEnabled)
	v2 := putV(t, s, "k", []byte("v2"), VersioningEnabled)
	if _, err := s.SetVersionTags(testBucket, "k", v1.VersionID, map[string]string{"old": "yes"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetTags(testBucket, "k", map[string]string{"new": "yes"}); err != nil {
		t.Fatal(err)
	}
	h1, _ := s.HeadVersion(testBucket, "k", v1.VersionID)
	h2, _ := s.HeadVersion(testBucket, "k", v2.VersionID)
	if h1.Tags["old"] != "yes" || h1.Tags["new"] != "" || h2.Tags["new"] != "yes" || h2.Tags["old"] != "" {
		t.Fatalf("tags: v1 %v, v2 %v", h1.Tags, h2.Tags)
	}
	if h1.ETag != v1.ETag || h2.VersionID != v2.VersionID || !h2.IsLatest || h1.IsLatest {
		t.Fatalf("retag changed the versions: %+v %+v", h1, h2)
	}
	// Tagging the latest, then making it noncurrent: the tags follow it.
	putV(t, s, "k", []byte("v3"), VersioningEnabled)
	if h2, _ := s.HeadVersion(testBucket, "k", v2.VersionID); h2.Tags["new"] != "yes" || string(readVersion(t, s, "k", v2.VersionID)) != "v2" {
		t.Fatalf("v2 after becoming noncurrent: %+v", h2)
	}
}

func TestVersionedMultipartComplete(t *testing.T) {
	s, root := newStore(t, WithoutSync())
	v1 := putV(t, s, "k", []byte("simple"), VersioningEnabled)
	id, err := s.CreateUpload(testBucket, "k", Meta{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.PutPart(testBucket, "k", id, 1, bytes.NewReader([]byte("multipart")), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.CompleteUploadVersion(testBucket, "k", id, []CompletedPart{{PartNumber: 1, ETag: p.ETag}}, VersioningEnabled)
	if err != nil || info.VersionID == NullVersion || !info.IsLatest {
		t.Fatalf("complete = %+v, %v", info, err)
	}
	wantVersions(t, s, root, []versionRow{{"k", info.VersionID, true, false}, {"k", v1.VersionID, false, false}})
	if got := readAll(t, s, "k"); string(got) != "multipart" {
		t.Fatalf("latest = %q", got)
	}
}

func TestDetachBucketWithVersions(t *testing.T) {
	for _, shared := range []bool{false, true} {
		t.Run(fmt.Sprintf("shared=%v", shared), func(t *testing.T) {
			opts := []Option{WithoutSync()}
			if shared {
				opts = append(opts, Shared())
			}
			s, root := newStore(t, opts...)
			v1 := putV(t, s, "k", []byte("v1"), VersioningEnabled)
			m, err := s.PutDeleteMarker(testBucket, "k", VersioningEnabled)
			if err != nil {
				t.Fatal(err)
			}
			if infos, _, _ := s.List(testBucket, "", "", 0); len(infos) != 0 {
				t.Fatalf("List = %+v", infos)
			}
			check := func(st *Store, want error) {
				t.Helper()
				d, err := st.DetachBucketDir(testBucket)
				if want != nil {
					wantErr(t, err, want)
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if err := d.Restore(); err != nil {
					t.Fatal(err)
				}
			}
			fresh, _ := Open(root, opts...)
			// A noncurrent version under a delete marker: not empty.
			check(s, ErrBucketNotEmpty)
			check(fresh, ErrBucketNotEmpty)
			// Only a delete marker: still not empty.
			if _, err := s.DeleteVersion(testBucket, "k", v1.VersionID); err != nil {
				t.Fatal(err)
			}
			check(s, ErrBucketNotEmpty)
			check(fresh, ErrBucketNotEmpty)
			// Every version removed, as S3 clients empty a bucket: empty.
			if _, err := s.DeleteVersion(testBucket, "k", m.VersionID); err != nil {
				t.Fatal(err)
			}
			check(s, nil)
			check(fresh, nil)
			if err := s.DeleteBucketDir(testBucket); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestSharedReplicasSeeEachOthersVersions(t *testing.T) {
	root := t.TempDir()
	a, _ := Open(root, Shared(), WithoutSync())
	b, _ := Open(root, Shared(), WithoutSync())
	if err := a.CreateBucketDir(testBucket); err != nil {
		t.Fatal(err)
	}
	null := putV(t, a, "k", []byte("null"), Unversioned)
	v1 := putV(t, b, "k", []byte("v1"), VersioningEnabled) // b keeps a's null version
	v2 := putV(t, a, "k", []byte("v2"), VersioningEnabled) // a keeps b's v1
	want := []versionRow{{"k", v2.VersionID, true, false}, {"k", v1.VersionID, false, false}, {"k", null.VersionID, false, false}}
	wantVersions(t, b, root, want)
	// b removes the latest; a then reads v1 as the latest.
	if _, err := b.DeleteVersion(testBucket, "k", v2.VersionID); err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, a, "k"); string(got) != "v1" {
		t.Fatalf("a reads %q after b removed v2", got)
	}
	m, err := b.PutDeleteMarker(testBucket, "k", VersioningSuspended)
	if err != nil {
		t.Fatal(err)
	}
	page, err := a.ListVersions(testBucket, VersionQuery{})
	if err != nil {
		t.Fatal(err)
	}
	want = []versionRow{{"k", m.VersionID, true, true}, {"k", v1.VersionID, false, false}}
	if got := rowsOf(page.Versions); !reflect.DeepEqual(got, want) {
		t.Fatalf("a lists %+v, want %+v", got, want)
	}
	if empty, err := a.BucketEmpty(testBucket); err != nil || empty {
		t.Fatalf("BucketEmpty = %v, %v", empty, err)
	}
}

// TestInterruptedWriteLeftovers recreates, by hand, the files a crash can
// leave between the steps of a versioned write, and checks that every
// reader and the next writes treat them right.
func TestInterruptedWriteLeftovers(t *testing.T) {
	s, root := newStore(t, WithoutSync())
	path := s.objectPath(testBucket, "k")
	v1 := putV(t, s, "k", []byte("v1"), VersioningEnabled)
	// Crash after linking the current file, before the new one's rename:
	// the same version under both names.
	if err := os.Link(path, noncurrentPath(path, v1.VersionID)); err != nil {
		t.Fatal(err)
	}
	s, _ = Open(root, WithoutSync())
	wantVersions(t, s, root, []versionRow{{"k", v1.VersionID, true, false}})
	v2 := putV(t, s, "k", []byte("v2"), VersioningEnabled)
	wantVersions(t, s, root, []versionRow{{"k", v2.VersionID, true, false}, {"k", v1.VersionID, false, false}})

	// Crash in a suspended write after the rename, before the old noncurrent
	// null file is removed: a stale null file behind a current null one.
	null1 := putV(t, s, "j", []byte("old null"), Unversioned)
	j1 := putV(t, s, "j", []byte("j1"), VersioningEnabled) // null1 becomes noncurrent
	stale := noncurrentPath(s.objectPath(testBucket, "j"), NullVersion)
	keep, _ := os.ReadFile(stale)
	putV(t, s, "j", []byte("new null"), VersioningSuspended)
	if err := os.WriteFile(stale, keep, 0o600); err != nil { // as the crash left it
		t.Fatal(err)
	}
	s, _ = Open(root, WithoutSync())
	if got := readVersion(t, s, "j", NullVersion); string(got) != "new null" {
		t.Fatalf("null version reads %q", got)
	}
	page, _ := s.ListVersions(testBucket, VersionQuery{Prefix: "j"})
	if len(page.Versions) != 2 || page.Versions[0].VersionID != NullVersion || page.Versions[0].Seq == null1.Seq {
		t.Fatalf("versions of j: %+v", page.Versions)
	}
	// The next enabled write keeps the current null version, not the stale one.
	j2 := putV(t, s, "j", []byte("j2"), VersioningEnabled)
	if got := readVersion(t, s, "j", NullVersion); string(got) != "new null" {
		t.Fatalf("after an enabled write the null version reads %q", got)
	}
	// Deleting the current version also removes a leftover link to it.
	if err := os.Link(path, noncurrentPath(path, v2.VersionID)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeleteVersion(testBucket, "k", v2.VersionID); err != nil {
		t.Fatal(err)
	}
	s, _ = Open(root, WithoutSync())
	wantVersions(t, s, root, []versionRow{{"j", j2.VersionID, true, false}, {"j", "null", false, false},
		{"j", j1.VersionID, false, false}, {"k", v1.VersionID, true, false}})
}

// TestFilesWithoutVersionFields: object files written before versions
// existed have no VersionID and Seq; they read as the null version.
func TestFilesWithoutVersionFields(t *testing.T) {
	s, root := newStore(t, WithoutSync())
	info := mustPut(t, s, "old", []byte("body"))
	path := s.objectPath(testBucket, "old")
	raw, _ := os.ReadFile(path)
	legacy := info
	legacy.VersionID, legacy.Seq = "", 0
	hdr, err := encodeHeader(&legacy, 0)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(hdr, []byte("VersionID")) || bytes.Contains(hdr, []byte("Seq")) {
		t.Fatalf("legacy header has version fields: %s", hdr)
	}
	body := raw[len(raw)-int(info.Size):]
	if err := os.WriteFile(path, append(hdr, body...), 0o600); err != nil {
		t.Fatal(err)
	}
	s, _ = Open(root, WithoutSync())
	got, err := s.HeadVersion(testBucket, "old", NullVersion)
	if err != nil || got.VersionID != NullVersion || got.Seq != info.LastModified.UnixNano() {
		t.Fatalf("legacy object reads as %+v, %v", got, err)
	}
	v1 := putV(t, s, "old", []byte("v1"), VersioningEnabled)
	wantVersions(t, s, root, []versionRow{{"old", v1.VersionID, true, false}, {"old", "null", false, false}})
}

// TestSharedReplicasConcurrentVersions: two replicas (two Stores on one
// Shared root, so only the bucket's lock file orders them) add versions to
// one key at the same time; none may be lost.
func TestSharedReplicasConcurrentVersions(t *testing.T) {
	root := t.TempDir()
	a, _ := Open(root, Shared(), WithoutSync())
	b, _ := Open(root, Shared(), WithoutSync())
	if err := a.CreateBucketDir(testBucket); err != nil {
		t.Fatal(err)
	}
	const each = 60
	ids := make([][]string, 2)
	done := make(chan struct{})
	for r, s := range []*Store{a, b} {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := range each {
				v := VersioningEnabled
				if i%10 == 9 {
					v = VersioningSuspended
				}
				info, err := s.PutVersion(testBucket, "k", bytes.NewReader([]byte(fmt.Sprint(r, i))), Meta{}, nil, v)
				if err != nil {
					t.Error(err)
					return
				}
				if info.VersionID != NullVersion {
					ids[r] = append(ids[r], info.VersionID)
				}
			}
		}()
	}
	<-done
	<-done
	page, err := a.ListVersions(testBucket, VersionQuery{})
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, v := range page.Versions {
		listed[v.VersionID] = true
	}
	for r := range ids {
		for _, id := range ids[r] {
			if !listed[id] {
				t.Fatalf("version %s of replica %d was lost (%d listed)", id, r, len(page.Versions))
			}
		}
	}
	if want := len(ids[0]) + len(ids[1]) + 1; len(page.Versions) != want || !listed[NullVersion] {
		t.Fatalf("%d versions listed, want %d with one null", len(page.Versions), want)
	}
}

// TestDeleteCorruptObject: a current file damaged on disk can still be
// deleted (it cannot be read).
func TestDeleteCorruptObject(t *testing.T) {
	s, root := newStore(t, WithoutSync())
	mustPut(t, s, "k", []byte("body"))
	if err := os.WriteFile(s.objectPath(testBucket, "k"), []byte("SKOB garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := s.Head(testBucket, "k")
	wantErr(t, err, ErrCorrupt)
	if err := s.Delete(testBucket, "k"); err != nil {
		t.Fatal(err)
	}
	wantVersions(t, s, root, nil)
	if err := s.DeleteBucketDir(testBucket); err != nil {
		t.Fatal(err)
	}
}
