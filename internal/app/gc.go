package app

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// The collector's settings for a server. A request allocates several KB
// of short-lived garbage over a live heap that is small for most worlds
// (about 13 MiB for the demo): with Go's default GOGC=100 the collector
// then runs every ~13 MiB of allocation and takes a fifth of the server's
// CPU per request. Letting the heap grow to three times the live heap
// (GOGC=200) collects half as often. A soft memory limit, moved after
// every collection to twice the live heap plus gcHeadroom, bounds that
// growth for large heaps (a world of many accounts) to what GOGC=100
// would allow: GOGC=200 governs while the live heap is under gcHeadroom.
//
// GOGC=400 collects less often still, but long-lived objects made during
// load (the decision log's entries) are then spread over more of the
// heap's spans, which stay resident after the load: the resident set 15 s
// after BenchmarkServerRSSAfterLoad's minute of load went from 1.7x idle
// (GOGC=100) to 1.85x (200) and 2.2x (400), past the 2x bound.
const (
	gcPercent  = 200
	gcHeadroom = 32 << 20
)

var tuneGCOnce sync.Once

// tuneGC applies the settings above to the process once, unless GOGC or
// GOMEMLIMIT is set in the environment (the operator's choice wins).
func tuneGC() {
	tuneGCOnce.Do(func() {
		if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
			return
		}
		debug.SetGCPercent(gcPercent)
		setMemoryLimit()
		watchCollections()
	})
}

// watchCollections calls setMemoryLimit after every collection: a
// cleanup attached to a fresh object runs once the collector has found
// it unreachable, and arms the next one.
func watchCollections() {
	sentinel := new(gcSentinel)
	runtime.AddCleanup(sentinel, func(struct{}) {
		setMemoryLimit()
		watchCollections()
	}, struct{}{})
}

// gcSentinel is large enough and holds a pointer, so that it is not
// combined with other objects by the tiny allocator.
type gcSentinel struct {
	_ *int
	_ [16]byte
}

// setMemoryLimit sets the soft limit to twice the live heap plus
// gcHeadroom.
func setMemoryLimit() {
	live := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(live)
	if live[0].Value.Kind() != metrics.KindUint64 {
		return
	}
	debug.SetMemoryLimit(int64(2*live[0].Value.Uint64() + gcHeadroom))
}
