package blob

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The group commit half of the kill -9 test: many writers publish into ONE
// shard directory at once, so that their directory fsyncs are shared; each
// acknowledged write must survive the kill intact. The child also reports
// how many fsyncs its writes cost so far.

const (
	groupWriters = 8
	groupShard   = "5a" // every key of the test lives in this shard
)

// groupKey returns the key of write i: the first "g/<i>/<j>" whose file
// is in groupShard.
func groupKey(i int) string {
	for j := 0; ; j++ {
		k := fmt.Sprintf("g/%d/%d", i, j)
		if shard, _ := objectName(k); shard == groupShard {
			return k
		}
	}
}

// groupBody is the body of write i: 1 byte to 12 KiB.
func groupBody(i int) []byte { return randomBytes(uint64(i)^0x5a5a, (i*131)%(12<<10)+1) }

func TestKill9GroupChild(t *testing.T) {
	spec := os.Getenv(killChildEnv)
	if spec == "" {
		t.Skip("helper process of TestKill9Group")
	}
	root, startStr, _ := strings.Cut(spec, ",")
	start, _ := strconv.Atoi(startStr)
	s, err := Open(root)
	if err != nil {
		killChildFail(err)
	}
	c := countFsyncs(s)
	var out sync.Mutex // whole lines only
	var wg sync.WaitGroup
	for w := range groupWriters {
		wg.Go(func() {
			for i := start + w; ; i += groupWriters {
				key := groupKey(i)
				info, err := s.Put(testBucket, key, bytes.NewReader(groupBody(i)), Meta{}, nil)
				if err != nil {
					killChildFail(err)
				}
				out.Lock()
				fmt.Printf("GACK %s %d %s %d %d\n", key, i, info.ETag, c.files.Load(), c.dirs.Load())
				out.Unlock()
			}
		})
	}
	wg.Wait()
}

func TestKill9Group(t *testing.T) {
	if os.Getenv(killChildEnv) != "" {
		t.Skip("in the child")
	}
	root := t.TempDir()
	s, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateBucketDir(testBucket); err != nil {
		t.Fatal(err)
	}
	start := 0
	for round, after := range []time.Duration{200 * time.Millisecond, 500 * time.Millisecond, 900 * time.Millisecond} {
		out, kill, wait := startChild(t, "TestKill9GroupChild", root, start)
		type result struct {
			acked       map[string]int
			files, dirs int64
		}
		lines := make(chan result)
		go func() {
			r := result{acked: map[string]int{}}
			br := bufio.NewReader(out)
			for {
				line, err := br.ReadString('\n')
				if err != nil {
					lines <- r // a line cut by the kill was not acknowledged
					return
				}
				f := strings.Fields(line)
				if len(f) != 6 || f[0] != "GACK" {
					t.Errorf("child said %q", line)
					continue
				}
				i, _ := strconv.Atoi(f[2])
				r.acked[f[1]] = i
				r.files, _ = strconv.ParseInt(f[4], 10, 64)
				r.dirs, _ = strconv.ParseInt(f[5], 10, 64)
			}
		}()
		time.Sleep(after)
		kill()
		r := <-lines
		wait()
		t.Logf("round %d: %d acknowledged writes into one shard by %d writers before SIGKILL; about %d file + %d directory fsyncs",
			round, len(r.acked), groupWriters, r.files, r.dirs)
		s, err := Open(root)
		if err != nil {
			t.Fatal(err)
		}
		for key, i := range r.acked {
			info, got := getChecked(t, s, key)
			if !bytes.Equal(got, groupBody(i)) || info.ETag != quotedMD5(groupBody(i)) {
				t.Fatalf("acknowledged %s (write %d) is not intact", key, i)
			}
		}
		start += 1_000_000
	}
}
