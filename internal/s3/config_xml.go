package s3

import (
	"encoding/xml"
	"strings"
)

// xmlNode is any XML element, kept whole: configurations are stored as
// given (once validated) rather than through structs that would drop
// the elements they do not name.
type xmlNode struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Text    string     `xml:",chardata"`
	Nodes   []xmlNode  `xml:",any"`
}

// canonicalXML re-encodes a document: S3's namespace on the root only,
// no other namespace declarations, no whitespace between elements.
func canonicalXML(body []byte) (string, error) {
	var root xmlNode
	if err := xml.Unmarshal(body, &root); err != nil {
		return "", err
	}
	root.clean()
	root.Attrs = append([]xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: xmlns}}, root.Attrs...)
	out, err := xml.Marshal(root)
	return string(out), err
}

// clean drops namespaces (the root gets S3's back) and the whitespace
// around child elements.
func (n *xmlNode) clean() {
	n.XMLName.Space = ""
	attrs := n.Attrs[:0]
	for _, a := range n.Attrs {
		if a.Name.Local == "xmlns" || a.Name.Space == "xmlns" {
			continue
		}
		attrs = append(attrs, a)
	}
	n.Attrs = attrs
	if len(n.Nodes) > 0 && strings.TrimSpace(n.Text) == "" {
		n.Text = ""
	}
	for i := range n.Nodes {
		n.Nodes[i].clean()
	}
}
