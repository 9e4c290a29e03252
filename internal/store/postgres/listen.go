package postgres

import (
	"context"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
)

// Timing of the listener.
const (
	// quietCheck is how long the listener waits for a notification before
	// checking its connection (and re-reading the counter): the longest a
	// silently dead connection goes unnoticed, with checkTimeout.
	quietCheck   = time.Second
	checkTimeout = time.Second
	// connectTimeout bounds one connection attempt; failed attempts are
	// spaced from minBackoff doubling up to maxBackoff.
	connectTimeout = 5 * time.Second
	minBackoff     = 50 * time.Millisecond
	maxBackoff     = 2 * time.Second
)

// listener follows the generation on a dedicated connection that LISTENs
// to generationChannel, reporting each value to advance. It is live while
// that connection is known to be up: then no commit can escape it.
type listener struct {
	cfg     *pgx.ConnConfig
	advance func(uint64) uint64
	up      atomic.Bool
	stop    context.CancelFunc
	done    chan struct{}
}

// startListener starts a listener in the background; Generation reads the
// database until it is live.
func startListener(cfg *pgx.ConnConfig, advance func(uint64) uint64) *listener {
	ctx, cancel := context.WithCancel(context.Background())
	l := &listener{cfg: cfg, advance: advance, stop: cancel, done: make(chan struct{})}
	go l.run(ctx)
	return l
}

// live reports whether the cached generation is being kept up to date.
func (l *listener) live() bool { return l.up.Load() }

// close stops the listener and waits for it.
func (l *listener) close() {
	l.stop()
	<-l.done
}

// run keeps a listening session going until ctx ends, reconnecting after
// failures. Their errors are dropped: while the listener is down,
// Generation reads the database, which reports the same trouble.
func (l *listener) run(ctx context.Context) {
	defer close(l.done)
	backoff := minBackoff
	for {
		wasLive := l.session(ctx)
		l.up.Store(false)
		if wasLive {
			backoff = minBackoff
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, maxBackoff)
	}
}

// session connects, listens, reads the counter and then follows
// notifications until the connection fails or ctx ends. It reports
// whether it got as far as being live.
func (l *listener) session(ctx context.Context) (wasLive bool) {
	cctx, cancel := context.WithTimeout(ctx, connectTimeout)
	defer cancel()
	conn, err := pgx.ConnectConfig(cctx, l.cfg)
	if err != nil {
		return false
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), checkTimeout)
		defer cancel()
		conn.Close(ctx)
	}()
	// LISTEN before reading: a commit in between shows in both.
	if _, err := conn.Exec(cctx, "LISTEN "+generationChannel); err != nil {
		return false
	}
	if l.refresh(ctx, conn) != nil {
		return false
	}
	l.up.Store(true)
	for {
		if l.wait(ctx, conn) != nil {
			return true
		}
	}
}

// wait handles the next notification, or checks the connection after
// quietCheck without one.
func (l *listener) wait(ctx context.Context, conn *pgx.Conn) error {
	wctx, cancel := context.WithTimeout(ctx, quietCheck)
	defer cancel()
	n, err := conn.WaitForNotification(wctx)
	switch {
	case err == nil:
		v, perr := strconv.ParseUint(n.Payload, 10, 64)
		if perr != nil {
			return l.refresh(ctx, conn)
		}
		l.advance(v)
		return nil
	case ctx.Err() == nil && wctx.Err() != nil:
		return l.refresh(ctx, conn)
	}
	return err
}

// refresh reads the counter on conn (proving the connection works).
func (l *listener) refresh(ctx context.Context, conn *pgx.Conn) error {
	rctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	v, err := readGeneration(rctx, conn)
	if err != nil {
		return err
	}
	l.advance(v)
	return nil
}
