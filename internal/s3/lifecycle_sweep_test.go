package s3

import (
	"bytes"
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/blob"
	"github.com/sekisho/sekisho/internal/store"
	"github.com/sekisho/sekisho/internal/store/sqlite"
)

// sweepFixture is a store and a blob store holding one bucket, and the
// service that sweeps them; the clock is set by each write.
type sweepFixture struct {
	t      *testing.T
	svc    *Service
	blobs  *blob.Store
	st     store.Store
	now    time.Time
	bucket string
}

func newSweepFixture(t *testing.T, lifecycle, versioning string) *sweepFixture {
	t.Helper()
	st, err := sqlite.OpenMemory()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f := &sweepFixture{t: t, st: st, bucket: "sweep", now: time.Date(2026, 3, 1, 10, 30, 0, 0, time.UTC)}
	f.blobs, err = blob.Open(t.TempDir(), blob.WithClock(func() time.Time { return f.now }))
	if err != nil {
		t.Fatal(err)
	}
	err = st.Update(context.Background(), func(tx store.Tx) error {
		if err := tx.PutAccount(store.Account{ID: "111111111111"}); err != nil {
			return err
		}
		if err := tx.CreateBucket(store.Bucket{Name: f.bucket, Account: "111111111111", Region: "us-east-1"}); err != nil {
			return err
		}
		if versioning != "" {
			if err := tx.PutBucketSetting(f.bucket, "versioning", versioning); err != nil {
				return err
			}
		}
		return tx.PutBucketSetting(f.bucket, "lifecycle", lifecycle)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.blobs.CreateBucketDir(f.bucket); err != nil {
		t.Fatal(err)
	}
	f.svc = New(st, f.blobs, nil, slog.New(slog.DiscardHandler))
	return f
}

func (f *sweepFixture) put(key string, v blob.Versioning, tags map[string]string) blob.Info {
	f.t.Helper()
	info, err := f.blobs.PutVersion(f.bucket, key, bytes.NewReader([]byte(key)), blob.Meta{Tags: tags}, nil, v)
	if err != nil {
		f.t.Fatal(err)
	}
	return info
}

func (f *sweepFixture) sweepAt(at time.Time) {
	f.t.Helper()
	if err := f.svc.SweepLifecycle(context.Background(), at); err != nil {
		f.t.Fatal(err)
	}
}

func (f *sweepFixture) versions() []blob.Info {
	f.t.Helper()
	page, err := f.blobs.ListVersions(f.bucket, blob.VersionQuery{})
	if err != nil {
		f.t.Fatal(err)
	}
	return page.Versions
}

func TestDueAfterDaysRoundsToNextMidnightUTC(t *testing.T) {
	created := time.Date(2026, 1, 1, 10, 30, 0, 0, time.UTC)
	if got, want := dueAfterDays(created, 1), time.Date(2026, 1, 3, 0, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("dueAfterDays = %v, want %v", got, want)
	}
	midnight := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if got, want := dueAfterDays(midnight, 1), time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("dueAfterDays(midnight) = %v, want %v", got, want)
	}
}

// Current versions expire by days (rounded to midnight), filtered by
// prefix and tag; others stay.
func TestSweepExpiresCurrentObjects(t *testing.T) {
	f := newSweepFixture(t, `<LifecycleConfiguration><Rule><ID>logs</ID><Status>Enabled</Status>`+
		`<Filter><And><Prefix>logs/</Prefix><Tag><Key>tmp</Key><Value>yes</Value></Tag></And></Filter>`+
		`<Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration>`, "")
	f.put("logs/a", blob.Unversioned, map[string]string{"tmp": "yes"})
	f.put("logs/b", blob.Unversioned, nil)
	f.put("data/c", blob.Unversioned, map[string]string{"tmp": "yes"})

	f.sweepAt(time.Date(2026, 3, 2, 23, 59, 0, 0, time.UTC)) // a day later, before midnight: nothing yet
	if n := len(f.versions()); n != 3 {
		t.Fatalf("before the due midnight: %d objects, want 3", n)
	}
	f.sweepAt(time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC))
	got := f.versions()
	if len(got) != 2 || got[0].Key != "data/c" || got[1].Key != "logs/b" {
		t.Fatalf("after the sweep: %v, want data/c and logs/b", keysOf(got))
	}
}

// In a versioned bucket, expiring the current version adds a delete
// marker; noncurrent versions go after NoncurrentDays, keeping the newest
// NewerNoncurrentVersions; a delete marker left alone is removed.
func TestSweepVersionedBucket(t *testing.T) {
	f := newSweepFixture(t, `<LifecycleConfiguration><Rule><ID>all</ID><Status>Enabled</Status><Filter><Prefix></Prefix></Filter>`+
		`<NoncurrentVersionExpiration><NoncurrentDays>2</NoncurrentDays><NewerNoncurrentVersions>1</NewerNoncurrentVersions></NoncurrentVersionExpiration>`+
		`<Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration></Rule></LifecycleConfiguration>`, "Enabled")
	v1 := f.put("k", blob.VersioningEnabled, nil)
	f.now = f.now.Add(time.Hour)
	v2 := f.put("k", blob.VersioningEnabled, nil)
	f.now = f.now.Add(time.Hour)
	v3 := f.put("k", blob.VersioningEnabled, nil)
	f.now = f.now.Add(time.Hour)
	if _, err := f.blobs.PutDeleteMarker(f.bucket, "gone", blob.VersioningEnabled); err != nil {
		t.Fatal(err)
	}

	f.sweepAt(f.now.Add(10 * 24 * time.Hour))
	got := f.versions()
	ids := map[string]bool{}
	for _, v := range got {
		ids[v.VersionID] = true
	}
	switch {
	case !ids[v3.VersionID] || !ids[v2.VersionID]:
		t.Errorf("the current version and the newest noncurrent one must stay: %v", keysOf(got))
	case ids[v1.VersionID]:
		t.Errorf("v1, noncurrent beyond the one kept, must be expired: %v", keysOf(got))
	case len(got) != 2:
		t.Errorf("the lone delete marker of gone must be removed: %v", keysOf(got))
	}
}

// Incomplete multipart uploads are aborted DaysAfterInitiation later.
func TestSweepAbortsIncompleteUploads(t *testing.T) {
	f := newSweepFixture(t, `<LifecycleConfiguration><Rule><ID>mpu</ID><Status>Enabled</Status><Filter/>`+
		`<AbortIncompleteMultipartUpload><DaysAfterInitiation>3</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule></LifecycleConfiguration>`, "")
	if _, err := f.blobs.CreateUpload(f.bucket, "big", blob.Meta{}); err != nil {
		t.Fatal(err)
	}
	f.sweepAt(f.now.Add(2 * 24 * time.Hour))
	if ups, _ := f.blobs.ListUploads(f.bucket, ""); len(ups) != 1 {
		t.Fatalf("aborted too early: %d uploads", len(ups))
	}
	f.sweepAt(f.now.Add(4 * 24 * time.Hour))
	if ups, _ := f.blobs.ListUploads(f.bucket, ""); len(ups) != 0 {
		t.Fatalf("%d uploads left after DaysAfterInitiation", len(ups))
	}
}

// A disabled rule does nothing.
func TestSweepSkipsDisabledRules(t *testing.T) {
	f := newSweepFixture(t, `<LifecycleConfiguration><Rule><ID>off</ID><Status>Disabled</Status><Filter/>`+
		`<Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration>`, "")
	f.put("a", blob.Unversioned, nil)
	f.sweepAt(f.now.Add(30 * 24 * time.Hour))
	if n := len(f.versions()); n != 1 {
		t.Fatalf("a disabled rule expired objects: %d left", n)
	}
}

func keysOf(vs []blob.Info) []string {
	var out []string
	for _, v := range vs {
		out = append(out, v.Key+"@"+v.VersionID)
	}
	return out
}
