package metrics

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/sekisho/sekisho/internal/store"
	"github.com/sekisho/sekisho/internal/store/sqlite"
)

// s3Stand is the next handler: it names the operation as the front door
// does and answers 404.
var s3Stand = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	SetOperation(r.Context(), "s3", "ListObjects")
	w.WriteHeader(http.StatusNotFound)
})

func serveOnce(h http.Handler, remote, path string, header http.Header) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodGet, path, nil)
	r.RemoteAddr = remote
	for k, v := range header {
		r.Header[k] = v
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestFrontServesMetricsToLoopbackOnly(t *testing.T) {
	m := New()
	h := m.Front(s3Stand, false)
	if w := serveOnce(h, "127.0.0.1:5000", Path, nil); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "go_goroutines") {
		t.Fatalf("loopback scrape: %d %s", w.Code, w.Body)
	}
	if w := serveOnce(h, "[::1]:5000", AltPath, nil); w.Code != http.StatusOK {
		t.Fatalf("loopback scrape of %s: %d", AltPath, w.Code)
	}
	// Elsewhere, or signed, /metrics is an S3 request for bucket "metrics".
	if w := serveOnce(h, "192.0.2.7:5000", Path, nil); w.Code != http.StatusNotFound || strings.Contains(w.Body.String(), "go_goroutines") {
		t.Errorf("non-loopback scrape: %d %s, want the S3 service's answer", w.Code, w.Body)
	}
	signed := http.Header{"Authorization": {"AWS4-HMAC-SHA256 Credential=..."}}
	if w := serveOnce(h, "127.0.0.1:5000", Path, signed); w.Code != http.StatusNotFound {
		t.Errorf("signed GET /metrics: %d, want the S3 service's answer", w.Code)
	}
	if w := serveOnce(h, "192.0.2.7:5000", AltPath, nil); w.Code != http.StatusForbidden {
		t.Errorf("non-loopback GET %s: %d, want 403", AltPath, w.Code)
	}
	if got := testutil.ToFloat64(m.requests.WithLabelValues("s3", "ListObjects", "404")); got != 2 {
		t.Errorf("requests counted = %v, want the 2 that reached S3", got)
	}
}

func TestFrontOnOwnAddrServesNoMetrics(t *testing.T) {
	h := New().Front(s3Stand, true)
	if w := serveOnce(h, "127.0.0.1:5000", Path, nil); w.Code != http.StatusNotFound {
		t.Errorf("GET /metrics on --addr with --metrics-addr: %d, want the S3 service's answer", w.Code)
	}
}

func TestOperationLabelsAreBounded(t *testing.T) {
	m := New()
	h := m.Instrument(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		SetOperation(r.Context(), "iam", r.URL.Query().Get("Action"))
		w.WriteHeader(http.StatusBadRequest)
	}))
	for i := range maxOperations + 10 {
		serveOnce(h, "127.0.0.1:1", fmt.Sprintf("/?Action=Made%d", i), nil)
	}
	if got := testutil.ToFloat64(m.requests.WithLabelValues("iam", "other", "400")); got != 10 {
		t.Errorf("%v requests counted as other, want the 10 beyond the bound", got)
	}
	if got := testutil.CollectAndCount(m.requests); got != maxOperations+1 {
		t.Errorf("%d request series, want %d", got, maxOperations+1)
	}
}

func TestStoreErrorsCountTheStoresOwnFailures(t *testing.T) {
	st, err := sqlite.OpenMemory()
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	m := New()
	counted := m.CountStoreErrors(st)
	ctx := context.Background()
	// Answers of the state and the caller's own errors are not failures.
	_ = counted.View(ctx, func(tx store.Tx) error { _, err := tx.GetAccount("999999999999"); return err })
	_ = counted.Update(ctx, func(store.Tx) error { return errors.New("validation failed") })
	// A full disk or an unreachable store is, even from inside fn.
	_ = counted.Update(ctx, func(store.Tx) error { return fmt.Errorf("write: %w", syscall.ENOSPC) })
	_ = counted.View(ctx, func(store.Tx) error { return fmt.Errorf("query: %w", store.ErrUnavailable) })
	if got := testutil.ToFloat64(m.storeErrors.WithLabelValues("no_space")); got != 1 {
		t.Errorf("no_space = %v, want 1", got)
	}
	if got := testutil.ToFloat64(m.storeErrors.WithLabelValues("unavailable")); got != 1 {
		t.Errorf("unavailable = %v, want 1", got)
	}
	if got := testutil.CollectAndCount(m.storeErrors); got != 2 {
		t.Errorf("%d store error series, want 2 (nothing counted as other)", got)
	}
}
