package awsproto

import (
	"net/http"
	"reflect"
	"testing"
)

// setResponseHeaders leaves the header as Header.Set would.
func TestSetResponseHeadersAsSet(t *testing.T) {
	want, got := http.Header{}, http.Header{}
	want.Set("Content-Type", "text/xml")
	want.Set("x-amzn-RequestId", "id")
	setResponseHeaders(got, "text/xml", "id")
	if !reflect.DeepEqual(want, got) {
		t.Errorf("got %v, want %v", got, want)
	}
}
