package blob

import (
	"bytes"
	"fmt"
	"sync"
	"testing"
)

func TestDeleteCurrentIf(t *testing.T) {
	for name, v := range map[string]Versioning{"unversioned": Unversioned, "versioned": VersioningEnabled} {
		t.Run(name, func(t *testing.T) {
			s, _ := newStore(t, WithoutSync())
			put := func(key, body string) Info {
				info, err := s.PutVersion(testBucket, key, bytes.NewReader([]byte(body)), Meta{}, nil, v)
				if err != nil {
					t.Fatal(err)
				}
				return info
			}
			exists := func(key string) bool {
				_, err := s.Head(testBucket, key)
				return err == nil
			}
			one := put("k", "one")
			if _, err := s.DeleteCurrentIf(testBucket, "k", v, `"0123"`); !errorsIs(err, ErrPreconditionFailed) {
				t.Fatalf("another ETag: %v, want ErrPreconditionFailed", err)
			}
			if !exists("k") {
				t.Fatal("a refused conditional delete removed the object")
			}
			if _, err := s.DeleteCurrentIf(testBucket, "k", v, one.ETag); err != nil || exists("k") {
				t.Fatalf("the current ETag: %v, exists %v", err, exists("k"))
			}
			put("k", "two")
			if _, err := s.DeleteCurrentIf(testBucket, "k", v, "*"); err != nil || exists("k") {
				t.Fatalf(`"*": %v, exists %v`, err, exists("k"))
			}
			// No current object (none at all, or a delete marker): deleted as
			// without the condition.
			if _, err := s.DeleteCurrentIf(testBucket, "k", v, one.ETag); err != nil {
				t.Fatalf("no current object: %v", err)
			}
			if _, err := s.DeleteCurrentIf(testBucket, "absent", v, one.ETag); err != nil {
				t.Fatalf("absent key: %v", err)
			}
		})
	}
}

// TestDeleteCurrentIfRacesAWrite: a conditional delete naming the ETag of
// the object a writer is replacing either lands first (the write then
// creates the key again) or is refused; it never removes the new object.
func TestDeleteCurrentIfRacesAWrite(t *testing.T) {
	for name, v := range map[string]Versioning{"unversioned": Unversioned, "versioned": VersioningEnabled} {
		t.Run(name, func(t *testing.T) {
			s, _ := newStore(t, WithoutSync())
			for i := range 100 {
				key := fmt.Sprintf("k%d", i)
				old, err := s.PutVersion(testBucket, key, bytes.NewReader([]byte("old")), Meta{}, nil, v)
				if err != nil {
					t.Fatal(err)
				}
				var wg sync.WaitGroup
				wg.Add(2)
				go func() {
					defer wg.Done()
					if _, err := s.PutVersion(testBucket, key, bytes.NewReader([]byte("new")), Meta{}, nil, v); err != nil {
						t.Error(err)
					}
				}()
				go func() {
					defer wg.Done()
					if _, err := s.DeleteCurrentIf(testBucket, key, v, old.ETag); err != nil && !errorsIs(err, ErrPreconditionFailed) {
						t.Error(err)
					}
				}()
				wg.Wait()
				if got := readAll(t, s, key); string(got) != "new" {
					t.Fatalf("%s: %q after the race, want the new object", key, got)
				}
			}
		})
	}
}

// TestCompleteUploadIf: a Complete held to If-None-Match or If-Match is
// refused against the key's current object, and the upload stays.
func TestCompleteUploadIf(t *testing.T) {
	s, _ := newStore(t, WithoutSync())
	existing := mustPut(t, s, "k", []byte("there"))
	id, err := s.CreateUpload(testBucket, "k", Meta{})
	if err != nil {
		t.Fatal(err)
	}
	done := uploadParts(t, s, "k", id, [][]byte{[]byte("part")})
	for _, pre := range []Precondition{{IfNoneMatch: true}, {IfMatch: `"0123"`}} {
		if _, err := s.CompleteUploadIf(testBucket, "k", id, done, Unversioned, pre); !errorsIs(err, ErrPreconditionFailed) {
			t.Errorf("%+v: %v, want ErrPreconditionFailed", pre, err)
		}
	}
	if got := readAll(t, s, "k"); string(got) != "there" {
		t.Fatalf("refused Completes replaced the object: %q", got)
	}
	if _, err := s.CompleteUploadIf(testBucket, "absent", id, done, Unversioned, Precondition{IfMatch: "*"}); err == nil {
		t.Error("If-Match on a missing key completed")
	}
	if _, err := s.CompleteUploadIf(testBucket, "k", id, done, Unversioned, Precondition{IfMatch: existing.ETag}); err != nil {
		t.Fatalf("the current ETag: %v", err)
	}
	if got := readAll(t, s, "k"); string(got) != "part" {
		t.Fatalf("after the Complete: %q", got)
	}
}
