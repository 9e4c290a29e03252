package awsproto

import (
	"fmt"
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
		if err == nil && !reflect.DeepEqual(paramValues(got), want) {
			t.Fatalf("parseForm(%q) = %v, url.ParseQuery %v", s, got, want)
		}
	})
}

// paramValues is p as url.Values.
func paramValues(p Params) url.Values {
	out := url.Values{}
	for _, kv := range p.list {
		out[kv.name] = kv.values
	}
	return out
}

// Params answer as the url.Values they were made from, below and above
// the size at which they index their names.
func TestParamsAsValues(t *testing.T) {
	for _, n := range []int{0, 1, 5, maxScannedParams, maxScannedParams + 1, 40} {
		v := url.Values{}
		for i := range n {
			v[fmt.Sprintf("Tags.member.%d.Key", i+1)] = []string{fmt.Sprint("k", i), "second"}
		}
		p := NewParams(v)
		for i := range n + 2 {
			name := fmt.Sprintf("Tags.member.%d.Key", i+1)
			if p.Get(name) != v.Get(name) || p.Has(name) != v.Has(name) {
				t.Fatalf("%d names: %s: %q %v, want %q %v", n, name, p.Get(name), p.Has(name), v.Get(name), v.Has(name))
			}
		}
		if got := len(p.Structs("Tags")); got != n {
			t.Fatalf("%d names: %d structs", n, got)
		}
		if !reflect.DeepEqual(paramValues(p), v) {
			t.Fatalf("%d names: %v", n, paramValues(p))
		}
	}
}
