package blob

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"testing"
)

// The versioned half of the kill -9 test: one more child goroutine adds
// versions, delete markers and null versions to a few keys of a versioned
// bucket and permanently deletes some of its own versions, acknowledging
// each operation; after the kill every acknowledged version must be there
// intact, in order, and every acknowledged deletion must have stuck.
const versionBucket = "vbkt"

// versionAck is one acknowledged operation of versionWriter: PUT (a new
// version), NULL (a suspended write), DM (a delete marker) or DEL (a
// version permanently deleted); MAYDEL announces a DEL.
type versionAck struct {
	op, key string
	i       int
	id      string
	etag    string
}

// versionBody is the deterministic body of versioned write i: 1 byte to
// about 20 KB.
func versionBody(i int) []byte { return randomBytes(uint64(i)^0xabcdef, (i*31)%20_000+1) }

func versionWriter(s *Store, start int) {
	alive := map[string][]string{} // this child's acknowledged versions, oldest first
	for n := 0; ; n++ {
		i := start + n
		key := fmt.Sprintf("v%d", n%4)
		meta := Meta{UserMetadata: map[string]string{"i": strconv.Itoa(i)}}
		var line string
		switch {
		case n%5 == 4 && len(alive[key]) > 0:
			id := alive[key][0]
			// Announced first: if the kill lands during the delete, the
			// version may or may not be gone.
			fmt.Printf("VACK MAYDEL %s %d %s -\n", key, i, id)
			if _, err := s.DeleteVersion(versionBucket, key, id); err != nil {
				killChildFail(err)
			}
			alive[key] = alive[key][1:]
			line = fmt.Sprintf("VACK DEL %s %d %s -", key, i, id)
		case n%7 == 6:
			info, err := s.PutDeleteMarker(versionBucket, key, VersioningEnabled)
			if err != nil {
				killChildFail(err)
			}
			line = fmt.Sprintf("VACK DM %s %d %s -", key, i, info.VersionID)
		case n%6 == 5:
			info, err := s.PutVersion(versionBucket, key, bytes.NewReader(versionBody(i)), meta, nil, VersioningSuspended)
			if err != nil {
				killChildFail(err)
			}
			line = fmt.Sprintf("VACK NULL %s %d %s %s", key, i, info.VersionID, info.ETag)
		default:
			info, err := s.PutVersion(versionBucket, key, bytes.NewReader(versionBody(i)), meta, nil, VersioningEnabled)
			if err != nil {
				killChildFail(err)
			}
			alive[key] = append(alive[key], info.VersionID)
			line = fmt.Sprintf("VACK PUT %s %d %s %s", key, i, info.VersionID, info.ETag)
		}
		fmt.Println(line) // one write(2): whole lines only
	}
}

func killChildFail(err error) {
	fmt.Println("ERR", err)
	os.Exit(2)
}

// checkVersionAcks reopens the store and checks the versioned bucket
// against every operation acknowledged so far, in order.
func checkVersionAcks(t *testing.T, root string, acks []versionAck) {
	t.Helper()
	s, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	if left := tmpEntries(t, root, versionBucket); len(left) != 0 {
		t.Fatalf("Open left temp files: %v", left)
	}
	page, err := s.ListVersions(versionBucket, VersionQuery{})
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]Info{}  // by version ID (null: by key)
	position := map[string]int{} // place in the listing
	for n, v := range page.Versions {
		id := v.VersionID
		if id == NullVersion {
			id = "null/" + v.Key
		}
		if _, dup := listed[id]; dup {
			t.Fatalf("version %s listed twice", id)
		}
		listed[id], position[id] = v, n
	}
	lastNull := map[string]int{}
	deleted := map[string]bool{} // true: deleted; false: perhaps (announced, not acknowledged)
	for _, a := range acks {
		switch a.op {
		case "MAYDEL":
			if _, seen := deleted[a.id]; !seen {
				deleted[a.id] = false
			}
		case "DEL":
			deleted[a.id] = true
		case "NULL":
			lastNull[a.key] = a.i
		}
	}
	lastPos := map[string]int{} // per key: listing place of the last acknowledged version seen
	for _, a := range acks {
		switch {
		case a.op == "DEL" || a.op == "NULL" || a.op == "MAYDEL":
			if _, ok := listed[a.id]; a.op == "DEL" && ok {
				t.Fatalf("deleted version %s of %s is still listed", a.id, a.key)
			}
			continue
		}
		if done, announced := deleted[a.id]; done || announced && !isListed(listed, a.id) {
			continue
		}
		v, ok := listed[a.id]
		if !ok || v.Key != a.key || v.DeleteMarker != (a.op == "DM") {
			t.Fatalf("acknowledged %s %s of %s: listed as %+v (%v)", a.op, a.id, a.key, v, ok)
		}
		if p, seen := lastPos[a.key]; seen && position[a.id] >= p {
			t.Fatalf("version %s of %s is listed before an older one", a.id, a.key)
		}
		lastPos[a.key] = position[a.id]
		if a.op == "PUT" {
			checkVersionBody(t, s, a.key, a.id, a.i, a.etag)
		}
	}
	for key, i := range lastNull {
		info, err := s.HeadVersion(versionBucket, key, NullVersion)
		if err != nil {
			t.Fatalf("null version of %s: %v", key, err)
		}
		j, _ := strconv.Atoi(info.UserMetadata["i"])
		if j < i {
			t.Fatalf("null version of %s is write %d, older than acknowledged %d", key, j, i)
		}
		checkVersionBody(t, s, key, NullVersion, j, info.ETag)
	}
	checkLatestAgreesWithListing(t, s, page.Versions)
}

func isListed(listed map[string]Info, id string) bool {
	_, ok := listed[id]
	return ok
}

// checkVersionBody reads one version and compares it with write i.
func checkVersionBody(t *testing.T, s *Store, key, id string, i int, etag string) {
	t.Helper()
	info, body, err := s.GetVersion(versionBucket, key, id)
	if err != nil {
		t.Fatalf("version %s of %s: %v", id, key, err)
	}
	defer body.Close()
	got, err := io.ReadAll(body)
	if err != nil || info.ETag != etag || !bytes.Equal(got, versionBody(i)) {
		t.Fatalf("version %s of %s (write %d) is not intact: %v", id, key, i, err)
	}
}

// checkLatestAgreesWithListing: what Get serves is the version listed as
// latest.
func checkLatestAgreesWithListing(t *testing.T, s *Store, versions []Info) {
	t.Helper()
	for _, v := range versions {
		if !v.IsLatest {
			continue
		}
		info, err := s.Head(versionBucket, v.Key)
		if v.DeleteMarker && !errors.Is(err, ErrDeleteMarker) || !v.DeleteMarker && err != nil || info.VersionID != v.VersionID {
			t.Fatalf("latest of %s is listed as %s but Head gives %+v, %v", v.Key, v.VersionID, info, err)
		}
	}
}
