package blob

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// aheadThenBehind writes through a store whose clock is an hour ahead,
// then opens the root again with the clock set back to now, as after an
// NTP step or a restored VM.
func aheadThenBehind(t *testing.T, write func(*Store)) (*Store, string) {
	t.Helper()
	now := time.Now()
	ahead, root := newStore(t, WithClock(func() time.Time { return now.Add(time.Hour) }))
	write(ahead)
	behind, err := Open(root, WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	return behind, root
}

// TestVersionAfterClockWentBackIsNewest: a version written after the
// clock went back across a restart is still the newest: listed first,
// latest, and served.
func TestVersionAfterClockWentBackIsNewest(t *testing.T) {
	var first Info
	s, root := aheadThenBehind(t, func(s *Store) {
		var err error
		if first, err = s.PutVersion(testBucket, "k", bytes.NewReader([]byte("old")), Meta{}, nil, VersioningEnabled); err != nil {
			t.Fatal(err)
		}
	})
	second, err := s.PutVersion(testBucket, "k", bytes.NewReader([]byte("new")), Meta{}, nil, VersioningEnabled)
	if err != nil {
		t.Fatal(err)
	}
	if second.Seq <= first.Seq {
		t.Fatalf("Seq after the clock went back: %d, not above the earlier run's %d", second.Seq, first.Seq)
	}
	for _, st := range []*Store{s, reopen(t, root)} {
		page, err := st.ListVersions(testBucket, VersionQuery{})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Versions) != 2 || page.Versions[0].VersionID != second.VersionID || !page.Versions[0].IsLatest ||
			page.Versions[1].VersionID != first.VersionID || page.Versions[1].IsLatest {
			t.Fatalf("versions = %+v, want %s (latest) then %s", page.Versions, second.VersionID, first.VersionID)
		}
		// Paging by the marker of the newest gives the older one.
		next, err := st.ListVersions(testBucket, VersionQuery{KeyMarker: "k", VersionIDMarker: second.VersionID})
		if err != nil || len(next.Versions) != 1 || next.Versions[0].VersionID != first.VersionID {
			t.Fatalf("after %s: %+v, %v", second.VersionID, next.Versions, err)
		}
		wantBody(t, st, "k", []byte("new"))
	}
}

// TestSpareAfterClockWentBackReplayed: a PUT after the clock went back,
// whose rename a crash lost, is published again at the next Open over
// the file the earlier run stamped "in the future".
func TestSpareAfterClockWentBackReplayed(t *testing.T) {
	s, root := aheadThenBehind(t, func(s *Store) { mustPut(t, s, "k", []byte("stamped an hour ahead")) })
	prev := keepCurrentFile(t, s, root, "k", "prev")
	mustPut(t, s, "k", []byte("written after it"))
	unpublish(t, s, "k", prev, "a")
	wantBody(t, reopen(t, root), "k", []byte("written after it"))
}

// TestSeqMarkMovesAheadDurably: the watermark is written before the first
// Seq past it is handed out, a step ahead, and not again within the step.
func TestSeqMarkMovesAheadDurably(t *testing.T) {
	now := time.Now()
	clock := now
	s, root := newStore(t, WithClock(func() time.Time { return clock }))
	info := mustPut(t, s, "k", []byte("a"))
	mark, err := readSeqMark(root)
	if err != nil || mark < info.Seq+seqMarkStep-1 {
		t.Fatalf("watermark %d (%v) after Seq %d: want at least a step ahead", mark, err, info.Seq)
	}
	c := countFsyncs(s)
	clock = now.Add(time.Minute)
	mustPut(t, s, "k", []byte("b"))
	if again, _ := readSeqMark(root); again != mark || c.files.Load() != 1 {
		t.Fatalf("within the step: watermark %d -> %d, %d file fsyncs; want it unchanged and 1", mark, again, c.files.Load())
	}
	clock = now.Add(time.Duration(seqMarkStep) + time.Minute)
	later := mustPut(t, s, "k", []byte("c"))
	if moved, _ := readSeqMark(root); moved < later.Seq {
		t.Fatalf("watermark %d below Seq %d handed out", moved, later.Seq)
	}
}

// TestSeqMarkFailureRefusesWrite: a write whose Seq needs the watermark
// raised fails, and publishes nothing, when the watermark cannot be made
// durable.
func TestSeqMarkFailureRefusesWrite(t *testing.T) {
	s, root := newStore(t)
	failing := errors.New("disk on fire")
	s.fsync = func(f *os.File) error {
		if strings.Contains(filepath.Base(f.Name()), seqMarkFile) {
			return failing
		}
		return f.Sync()
	}
	_, err := s.Put(testBucket, "k", bytes.NewReader([]byte("x")), Meta{}, nil)
	wantErr(t, err, failing)
	if _, err := s.Head(testBucket, "k"); !errors.Is(err, ErrNoSuchKey) {
		t.Fatalf("Head after the refused write: %v, want ErrNoSuchKey", err)
	}
	if names, _ := readNames(root); len(names) != 1 || names[0] != testBucket {
		t.Fatalf("root after the refused write: %v, want only the bucket", names)
	}
	s.fsync = (*os.File).Sync
	mustPut(t, s, "k", []byte("x"))
}

// TestSeqMarkOpen: Open removes a watermark a run left half written, and
// refuses one that is not a number rather than guess.
func TestSeqMarkOpen(t *testing.T) {
	_, root := newStore(t)
	leftover := filepath.Join(root, seqMarkFile+".tmp-0123456789abcdef")
	if err := os.WriteFile(leftover, []byte("12"), 0o600); err != nil {
		t.Fatal(err)
	}
	reopen(t, root)
	if _, err := os.Stat(leftover); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("half-written watermark after Open: %v", err)
	}
	if err := os.WriteFile(filepath.Join(root, seqMarkFile), []byte("soon\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(root); err == nil || !strings.Contains(err.Error(), "remove it") {
		t.Fatalf("Open with a garbled watermark: %v, want an error naming the fix", err)
	}
}

// TestSharedSeqMarkNeverLowered: replicas of a Shared root raise one
// watermark, and one whose clock is behind keeps the other's higher mark.
func TestSharedSeqMarkNeverLowered(t *testing.T) {
	now := time.Now()
	root := t.TempDir()
	ahead, err := Open(root, Shared(), WithClock(func() time.Time { return now.Add(time.Hour) }))
	if err != nil {
		t.Fatal(err)
	}
	behind, err := Open(root, Shared(), WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	if err := ahead.CreateBucketDir(testBucket); err != nil {
		t.Fatal(err)
	}
	info := mustPut(t, ahead, "a", []byte("ahead"))
	high, _ := readSeqMark(root)
	mustPut(t, behind, "b", []byte("behind"))
	if mark, err := readSeqMark(root); err != nil || mark < high || mark < info.Seq {
		t.Fatalf("watermark %d (%v) after the replica behind raised it; was %d over Seq %d", mark, err, high, info.Seq)
	}
	// A run opened now starts above every Seq of both.
	next, err := Open(root, WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	if later := mustPut(t, next, "a", []byte("later")); later.Seq <= info.Seq {
		t.Fatalf("Seq %d of the next run, not above %d", later.Seq, info.Seq)
	}
}
