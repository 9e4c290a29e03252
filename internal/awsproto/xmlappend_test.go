package awsproto

import (
	"encoding/xml"
	"testing"
)

type textDoc struct {
	XMLName xml.Name `xml:"E"`
	V       string   `xml:",chardata"`
}

func checkAppendXMLText(t *testing.T, s string) {
	t.Helper()
	want, err := xml.Marshal(textDoc{V: s})
	if err != nil {
		t.Fatal(err)
	}
	if got := AppendXMLElement(nil, "E", s); string(got) != string(want) {
		t.Fatalf("AppendXMLElement(%q) = %q, encoding/xml gives %q", s, got, want)
	}
	field, err := xml.Marshal(fieldDoc{V: s})
	if err != nil {
		t.Fatal(err)
	}
	if got := "<F>" + string(AppendXMLElement(nil, "V", s)) + "</F>"; got != string(field) {
		t.Fatalf("AppendXMLElement(%q) = %q, encoding/xml gives %q for a field", s, got, field)
	}
}

type fieldDoc struct {
	XMLName xml.Name `xml:"F"`
	V       string   `xml:"V"`
}

// AppendXMLText escapes byte for byte as encoding/xml does.
func TestAppendXMLTextMatchesEncodingXML(t *testing.T) {
	for _, s := range []string{"", "plain", `<a href="x">&'</a>`, "tab\tnl\ncr\r", "\x00\x1f\x7f", "\xff\xfe bad", "\uFFFD", "\uFFFE\uFFFF",
		"日本語", "\U0001F600", "\xed\xa0\x80", "arn:aws:iam::111111111111:user/alice"} {
		checkAppendXMLText(t, s)
	}
}

func FuzzAppendXMLText(f *testing.F) {
	f.Add("a<b>&\"'\t\n\r\x00\xff")
	f.Fuzz(func(t *testing.T, s string) { checkAppendXMLText(t, s) })
}
