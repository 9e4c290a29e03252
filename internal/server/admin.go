package server

import (
	"encoding/json"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/sekisho/sekisho/internal/audit"
)

// DecisionsPath serves the decision log to `sekisho explain` and `sekisho log`.
const DecisionsPath = "/_sekisho/decisions"

// serveDecisions answers GET /_sekisho/decisions/<request-id> with the
// explanations of that request's decisions, and GET /_sekisho/decisions
// (?denied=true&since=5m&limit=N) with recent summaries. The log shows
// policies and context, so only loopback callers may read it.
func (s *Server) serveDecisions(w http.ResponseWriter, r *http.Request) {
	if !fromLoopback(r) {
		http.Error(w, "the decision log is served to loopback callers only", http.StatusForbidden)
		return
	}
	if s.cfg.Decisions == nil {
		http.Error(w, "the decision log is off", http.StatusNotFound)
		return
	}
	id := strings.Trim(strings.TrimPrefix(r.URL.Path, DecisionsPath), "/")
	if id != "" {
		x, ok := s.cfg.Decisions.Explain(id)
		if !ok {
			http.Error(w, "no decision is logged for request "+id, http.StatusNotFound)
			return
		}
		writeJSON(w, x)
		return
	}
	if r.URL.Query().Get("detail") == "true" {
		s.serveDecisionDetails(w, r)
		return
	}
	f := audit.Filter{DeniedOnly: r.URL.Query().Get("denied") == "true"}
	if v := r.URL.Query().Get("since"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			http.Error(w, "since must be a duration such as 5m", http.StatusBadRequest)
			return
		}
		f.Since = time.Now().Add(-d)
	}
	if v := r.URL.Query().Get("limit"); v != "" {
		f.Limit, _ = strconv.Atoi(v)
	}
	writeJSON(w, s.cfg.Decisions.List(f))
}

// serveDecisionDetails answers GET /_sekisho/decisions?detail=true with
// the explanations of the decisions made between from and to (RFC 3339;
// or since=DURATION), oldest first: what policy generation and the
// CloudTrail export read.
func (s *Server) serveDecisionDetails(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var from, to time.Time
	var err error
	if v := q.Get("since"); v != "" {
		d, perr := time.ParseDuration(v)
		if perr != nil {
			http.Error(w, "since must be a duration such as 5m", http.StatusBadRequest)
			return
		}
		from = time.Now().Add(-d)
	}
	if v := q.Get("from"); v != "" {
		if from, err = time.Parse(time.RFC3339Nano, v); err != nil {
			http.Error(w, "from must be an RFC 3339 time", http.StatusBadRequest)
			return
		}
	}
	if v := q.Get("to"); v != "" {
		if to, err = time.Parse(time.RFC3339Nano, v); err != nil {
			http.Error(w, "to must be an RFC 3339 time", http.StatusBadRequest)
			return
		}
	}
	writeJSON(w, s.cfg.Decisions.Details(from, to))
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func fromLoopback(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.Unmap().IsLoopback()
}
