package awsproto

import (
	"net/http"
	"net/url"
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

// parseForm is url.ParseQuery: same values, an error exactly when it errs.
func FuzzParseForm(f *testing.F) {
	for _, s := range []string{"", "Action=GetCallerIdentity&Version=2011-06-15", "a=1&a=2&b", "&&a=&=b&", "a=%zz", "a;b=1", "a+b=c%20d",
		"RoleArn=arn%3Aaws%3Aiam%3A%3A111111111111%3Arole%2Fx&RoleSessionName=s", "a=1&b=2&a=3&c==4"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, wantErr := url.ParseQuery(s)
		got, err := parseForm(s)
		if (err == nil) != (wantErr == nil) || err != nil && err.Error() != wantErr.Error() {
			t.Fatalf("parseForm(%q) error %v, url.ParseQuery %v", s, err, wantErr)
		}
		if err == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("parseForm(%q) = %v, url.ParseQuery %v", s, got, want)
		}
	})
}
