package blob

import (
	"bufio"
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestOpenCleansLeftovers(t *testing.T) {
	s, root := newStore(t)
	mustPut(t, s, "kept", []byte("kept"))
	bucket := filepath.Join(root, testBucket)
	// What a crash mid-write leaves: a half-written temp file, an upload
	// directory whose record was never published, a half-removed bucket.
	partial := filepath.Join(bucket, tmpDir, "w-123")
	if err := os.WriteFile(partial, []byte("SKOB\x01half a body"), 0o600); err != nil {
		t.Fatal(err)
	}
	orphan := filepath.Join(bucket, uploadsDir, strings.Repeat("ab", 16))
	trash := filepath.Join(root, trashPrefix+"x", "a")
	for _, dir := range []string{orphan, trash} {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	s2, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{partial, orphan, filepath.Dir(trash)} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s survived Open", p)
		}
	}
	infos, _, err := s2.List(testBucket, "", "", 0)
	if err != nil || len(infos) != 1 || infos[0].Key != "kept" {
		t.Fatalf("after recovery List = %+v, %v", infos, err)
	}
	if empty, _ := s2.BucketEmpty(testBucket); empty {
		t.Fatal("bucket with an object reported empty")
	}
}

func TestCorruptFileIsNotServed(t *testing.T) {
	s, root := newStore(t)
	mustPut(t, s, "k", randomBytes(17, 1000))
	mustPut(t, s, "junk", nil)
	path := s.objectPath(testBucket, "k")
	if err := os.Truncate(path, 500); err != nil {
		t.Fatal(err)
	}
	_, _, err := s.Get(testBucket, "k")
	wantErr(t, err, ErrCorrupt)
	_, err = s.Head(testBucket, "k")
	wantErr(t, err, ErrCorrupt)
	// A file that is not an object at all is left out of listings.
	if err := os.WriteFile(s.objectPath(testBucket, "junk"), []byte("not an object"), 0o600); err != nil {
		t.Fatal(err)
	}
	s2, _ := Open(root)
	if infos, _, _ := s2.List(testBucket, "", "", 0); len(infos) != 1 || infos[0].Key != "k" {
		t.Fatalf("scan listed %+v", infos)
	}
}

// The kill -9 test: a child process (this test binary, re-executed) writes
// objects in a loop and prints each acknowledged one; the parent kills it
// with SIGKILL at some moment, reopens the store and checks every
// acknowledged object.
const killChildEnv = "SEKISHO_BLOB_KILL_CHILD"

// killBody is the deterministic body of write i of the child: 1 byte to
// about 600 KB.
func killBody(i int) []byte { return randomBytes(uint64(i), (i*7919)%600_000+1) }

func TestKill9Child(t *testing.T) {
	spec := os.Getenv(killChildEnv)
	if spec == "" {
		t.Skip("helper process of TestKill9")
	}
	root, startStr, _ := strings.Cut(spec, ",")
	start, _ := strconv.Atoi(startStr)
	s, err := Open(root)
	if err != nil {
		fmt.Println("ERR", err)
		os.Exit(2)
	}
	var wg sync.WaitGroup
	for w := range 3 {
		wg.Go(func() { killWriter(s, start+w, 3, w == 0) })
	}
	wg.Go(func() { versionWriter(s, start) })
	wg.Wait()
}

// killWriter writes objects i, i+step, ... forever; with hot, every third
// write goes to the key "hot" instead (one writer only, so the hot writes
// are ordered).
func killWriter(s *Store, i, step int, hot bool) {
	for n := 0; ; i, n = i+step, n+1 {
		key := fmt.Sprintf("k/%07d", i)
		if hot && n%3 == 0 {
			key = "hot"
		}
		body := killBody(i)
		info, err := s.Put(testBucket, key, bytes.NewReader(body), Meta{UserMetadata: map[string]string{"i": strconv.Itoa(i)}}, nil)
		if err != nil {
			fmt.Println("ERR", err)
			os.Exit(2)
		}
		fmt.Printf("ACK %s %d %s\n", key, i, info.ETag) // one write(2): whole lines only
	}
}

func TestKill9(t *testing.T) {
	if os.Getenv(killChildEnv) != "" {
		t.Skip("in the child")
	}
	root := t.TempDir()
	s, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range []string{testBucket, versionBucket} {
		if err := s.CreateBucketDir(b); err != nil {
			t.Fatal(err)
		}
	}
	start := 0
	var vacks []versionAck
	for round, wait := range []time.Duration{150 * time.Millisecond, 400 * time.Millisecond, 777 * time.Millisecond} {
		acks, v := runAndKill(t, root, start, wait)
		vacks = append(vacks, v...)
		t.Logf("round %d: %d acknowledged writes, %d version operations before SIGKILL", round, len(acks), len(v))
		checkAcked(t, root, acks)
		checkVersionAcks(t, root, vacks)
		start += 1_000_000
	}
}

type ack struct {
	key  string
	i    int
	etag string
}

// runAndKill runs the child writer, kills it after the given time and returns the
// writes and version operations it acknowledged.
func runAndKill(t *testing.T, root string, start int, after time.Duration) ([]ack, []versionAck) {
	out, kill, wait := startChild(t, "TestKill9Child", root, start)
	type result struct {
		acks  []ack
		vacks []versionAck
	}
	lines := make(chan result)
	go func() {
		a, v := readAcks(t, out)
		lines <- result{a, v}
	}()
	time.Sleep(after)
	kill()
	r := <-lines
	wait()
	return r.acks, r.vacks
}

// startChild runs the test child of this binary with root and start in
// killChildEnv, and returns its output, the function that kills it with
// SIGKILL and the one that reaps it once its output has been read to the
// end.
func startChild(t *testing.T, child, root string, start int) (io.Reader, func(), func()) {
	cmd := exec.Command(os.Args[0], "-test.run=^"+child+"$", "-test.count=1")
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s,%d", killChildEnv, root, start))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	kill := func() {
		if err := cmd.Process.Kill(); err != nil { // SIGKILL
			t.Fatal(err)
		}
	}
	return out, kill, func() { cmd.Wait() }
}

// readAcks collects the complete ACK and VACK lines of the child's output.
func readAcks(t *testing.T, r io.Reader) ([]ack, []versionAck) {
	var acks []ack
	var vacks []versionAck
	br := bufio.NewReader(r)
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return acks, vacks // a line cut by the kill was not acknowledged
		}
		f := strings.Fields(line)
		if len(f) == 6 && f[0] == "VACK" {
			i, _ := strconv.Atoi(f[3])
			vacks = append(vacks, versionAck{op: f[1], key: f[2], i: i, id: f[4], etag: f[5]})
			continue
		}
		if len(f) != 4 || f[0] != "ACK" {
			t.Errorf("child said %q", line)
			continue
		}
		i, _ := strconv.Atoi(f[2])
		acks = append(acks, ack{key: f[1], i: i, etag: f[3]})
	}
}

// checkAcked reopens the store and checks that every acknowledged object is
// there and intact; "hot" must hold one complete write, at least as new as
// its last acknowledged one.
func checkAcked(t *testing.T, root string, acks []ack) {
	s, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	if left := tmpEntries(t, root, testBucket); len(left) != 0 {
		t.Fatalf("Open left temp files: %v", left)
	}
	lastHot := -1
	for _, a := range acks {
		if a.key == "hot" {
			lastHot = max(lastHot, a.i)
			continue
		}
		body := killBody(a.i)
		info, got := getChecked(t, s, a.key)
		if info.ETag != a.etag || !bytes.Equal(got, body) {
			t.Fatalf("acknowledged %s (write %d) is not intact: %d bytes, ETag %s", a.key, a.i, len(got), info.ETag)
		}
	}
	if lastHot >= 0 {
		info, got := getChecked(t, s, "hot")
		i, _ := strconv.Atoi(info.UserMetadata["i"])
		if !bytes.Equal(got, killBody(i)) || i < lastHot {
			t.Fatalf("hot holds write %d (last acknowledged %d), intact=%v", i, lastHot, bytes.Equal(got, killBody(i)))
		}
	}
}

// getChecked reads an object and checks its body against its ETag.
func getChecked(t *testing.T, s *Store, key string) (Info, []byte) {
	t.Helper()
	info, body, err := s.Get(testBucket, key)
	if err != nil {
		t.Fatal(err)
	}
	defer body.Close()
	got, err := io.ReadAll(body)
	if err != nil {
		t.Fatal(err)
	}
	sum := md5.Sum(got)
	if int64(len(got)) != info.Size || info.ETag != `"`+hex.EncodeToString(sum[:])+`"` {
		t.Fatalf("%s: body does not match its header", key)
	}
	return info, got
}
