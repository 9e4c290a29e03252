package app

import (
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// tuneGC sets the collector's percentage and a soft limit, and moves the
// limit after collections.
func TestTuneGC(t *testing.T) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		t.Skip("GOGC or GOMEMLIMIT is set: tuneGC leaves the collector alone")
	}
	tuneGC()
	if p := debug.SetGCPercent(gcPercent); p != gcPercent {
		t.Errorf("GC percent %d, want %d", p, gcPercent)
	}
	if limit := debug.SetMemoryLimit(-1); limit == math.MaxInt64 || limit < gcHeadroom {
		t.Fatalf("memory limit %d: not set", limit)
	}
	debug.SetMemoryLimit(math.MaxInt64) // a collection must set it again
	deadline := time.Now().Add(10 * time.Second)
	for debug.SetMemoryLimit(-1) == math.MaxInt64 {
		if time.Now().After(deadline) {
			t.Fatal("the memory limit was not set again after collections")
		}
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
}
