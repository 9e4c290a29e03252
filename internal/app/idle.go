package app

import (
	"context"
	"net/http"
	"runtime/debug"
	"sync/atomic"
	"time"
)

// idleMemoryAfter is how long the server must have answered nothing,
// after a busy spell, before it hands its free heap back to the OS.
const idleMemoryAfter = 5 * time.Second

// activity counts requests, so that the server can tell when load stops.
type activity struct {
	next   http.Handler
	served atomic.Uint64
}

func (a *activity) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.served.Add(1)
	a.next.ServeHTTP(w, r)
}

// returnMemoryWhenIdle frees the heap the last busy spell grew once no
// request has arrived for idleMemoryAfter. Go's scavenger alone keeps a
// heap sized for the load until the next GC, which an idle server does
// not run for minutes: after a burst the resident set would stay at its
// peak. One forced collection per busy-to-idle transition costs a few
// milliseconds.
func returnMemoryWhenIdle(ctx context.Context, a *activity) {
	tick := time.NewTicker(idleMemoryAfter)
	defer tick.Stop()
	last, busy := a.served.Load(), false
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		switch n := a.served.Load(); {
		case n != last:
			last, busy = n, true
		case busy:
			busy = false
			debug.FreeOSMemory()
		}
	}
}
