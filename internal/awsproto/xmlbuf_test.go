package awsproto

import (
	"encoding/xml"
	"net/http/httptest"
	"testing"
)

type sampleResult struct {
	XMLName xml.Name `xml:"GetThingResult"`
	Name    string   `xml:"Name"`
	Items   []string `xml:"Items>member"`
}

// TestWriteXMLMatchesMarshal pins the pooled rendering to encoding/xml's
// own output, also when a buffer is reused after a larger response.
func TestWriteXMLMatchesMarshal(t *testing.T) {
	results := []sampleResult{
		{Name: "a<&>\"b", Items: []string{"x", "y"}},
		{Name: string(make([]byte, 70<<10))}, // larger than a pooled buffer is kept
		{Name: "short"},
	}
	for _, r := range results {
		body, err := xml.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		want := xml.Header + `<GetThingResponse xmlns="urn:ns">` + string(body) +
			"<ResponseMetadata><RequestId>rid</RequestId></ResponseMetadata></GetThingResponse>"
		for range 3 {
			rec := httptest.NewRecorder()
			WriteXML(rec, "GetThing", "urn:ns", "rid", r)
			if got := rec.Body.String(); got != want {
				t.Fatalf("WriteXML:\n got %.200q\nwant %.200q", got, want)
			}
		}
	}
}

func TestWriteQueryErrorMatchesMarshal(t *testing.T) {
	e := Errorf(403, "AccessDenied", "no <access> for %s", "x&y")
	doc, err := xml.Marshal(queryErrorDoc{Xmlns: "urn:ns", Type: "Sender", Code: e.Code, Message: e.Message, RequestID: "rid"})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	WriteQueryError(rec, "urn:ns", "rid", e)
	if got, want := rec.Body.String(), xml.Header+string(doc); got != want || rec.Code != 403 {
		t.Fatalf("WriteQueryError: %d\n got %q\nwant %q", rec.Code, got, want)
	}
}
