package console

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/sekisho/sekisho/internal/store/sqlite"
)

// Under TLS the console's cookies are Secure as well.
func TestCookiesSecureUnderTLS(t *testing.T) {
	st, err := sqlite.OpenMemory()
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	c, err := New(context.Background(), Config{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	for url, secure := range map[string]bool{"https://sekisho.test/console/": true, "http://sekisho.test/console/": false} {
		rec := httptest.NewRecorder()
		c.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, url, nil))
		cookies := rec.Result().Cookies()
		if rec.Code != http.StatusOK || len(cookies) != 1 || cookies[0].Secure != secure || !cookies[0].HttpOnly || cookies[0].SameSite != http.SameSiteLaxMode {
			t.Errorf("%s: %d %+v", url, rec.Code, cookies)
		}
	}
}
