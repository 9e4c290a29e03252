//go:build !unix

package server_test

import (
	"testing"
	"time"
)

// processCPU skips: the server's CPU time is read with getrusage.
func processCPU(t testing.TB) time.Duration {
	t.Skip("server CPU per request is measured with getrusage (unix only)")
	return 0
}
