package awsproto

import (
	"encoding/json"
	"net/http/httptest"
	"testing"
)

// FuzzDecodeJSONRequest: any target and body decode to a request whose
// input is a JSON object, or to a client error; never a panic.
func FuzzDecodeJSONRequest(f *testing.F) {
	f.Add("AWSOrganizationsV20161128.CreateOrganization", []byte(`{"FeatureSet":"ALL"}`))
	f.Add("AWSOrganizationsV20161128.ListAccounts", []byte(``))
	f.Add("AWSOrganizationsV20161128", []byte(`[]`))
	f.Add(".x", []byte(`{"a":`))
	f.Add("A.B", []byte(" \n{\"Content\":\"{\\\"Version\\\":1}\"}"))
	f.Fuzz(func(t *testing.T, target string, body []byte) {
		req, e := DecodeJSONRequest(target, body)
		if e != nil {
			if e.Status != 400 || e.Code == "" {
				t.Fatalf("error %+v", e)
			}
			rec := httptest.NewRecorder()
			WriteJSONError(rec, "rid", e)
			var doc map[string]string
			if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil || doc["__type"] == "" {
				t.Fatalf("error body %q: %v", rec.Body.String(), err)
			}
			return
		}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(req.Input, &obj); err != nil {
			t.Fatalf("accepted input %q is not an object: %v", req.Input, err)
		}
		if req.Service == "" || req.Operation == "" {
			t.Fatalf("accepted target %q without service or operation", target)
		}
	})
}

func TestDecodeJSONRequest(t *testing.T) {
	req, e := DecodeJSONRequest("AWSOrganizationsV20161128.ListRoots", nil)
	if e != nil || req.Service != "AWSOrganizationsV20161128" || req.Operation != "ListRoots" || string(req.Input) != "{}" {
		t.Fatalf("empty body: %+v %v", req, e)
	}
	if _, e := DecodeJSONRequest("AWSOrganizationsV20161128.ListRoots", []byte(`"x"`)); e == nil || e.Code != "SerializationException" {
		t.Fatalf("a string body: %v", e)
	}
	if _, e := DecodeJSONRequest("ListRoots", []byte(`{}`)); e == nil || e.Code != "UnknownOperationException" {
		t.Fatalf("a target without service: %v", e)
	}
}
