package metrics

import (
	"net"
	"net/http"
	"net/netip"
)

// AltPath also serves the metrics, under Sekisho's own prefix, where no
// bucket can be named.
const AltPath = "/_sekisho/metrics"

// Front serves the metrics on the main listener to loopback callers
// (unless onOwnAddr, when a listener of their own serves them) and counts
// and times every other request next serves. A signed request for
// /metrics is an S3 call on a bucket named "metrics", and so is a
// non-loopback one: both go on to next.
func (m *Metrics) Front(next http.Handler, onOwnAddr bool) http.Handler {
	instrumented := m.Instrument(next)
	metrics := m.Handler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isScrape(r) {
			switch {
			case !onOwnAddr && fromLoopback(r):
				metrics.ServeHTTP(w, r)
				return
			case r.URL.Path == AltPath:
				http.Error(w, "metrics are served to loopback callers, or on --metrics-addr", http.StatusForbidden)
				return
			}
		}
		instrumented.ServeHTTP(w, r)
	})
}

// isScrape recognizes an unsigned GET of the metrics.
func isScrape(r *http.Request) bool {
	if r.URL.Path != Path && r.URL.Path != AltPath {
		return false
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	q := r.URL.Query()
	return r.Header.Get("Authorization") == "" && q.Get("X-Amz-Signature") == "" && q.Get("Signature") == ""
}

func fromLoopback(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.Unmap().IsLoopback()
}
