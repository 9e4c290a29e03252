package awsproto

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// XMLAppender is a result that renders its own XML: AppendXML appends to
// dst exactly the bytes encoding/xml produces for it (each implementation
// pins that with a test against xml.Marshal), without reflection. WriteXML
// uses it for the hottest responses.
type XMLAppender interface {
	AppendXML(dst []byte) []byte
}

// AppendXMLElement appends <name>text</name> with text escaped as
// encoding/xml escapes a string field.
func AppendXMLElement(dst []byte, name, text string) []byte {
	dst = append(dst, '<')
	dst = append(dst, name...)
	dst = append(dst, '>')
	dst = AppendXMLText(dst, text)
	dst = append(dst, "</"...)
	dst = append(dst, name...)
	return append(dst, '>')
}

// AppendXMLInt appends <name>n</name>.
func AppendXMLInt(dst []byte, name string, n int) []byte {
	dst = append(dst, '<')
	dst = append(dst, name...)
	dst = append(dst, '>')
	dst = strconv.AppendInt(dst, int64(n), 10)
	dst = append(dst, "</"...)
	dst = append(dst, name...)
	return append(dst, '>')
}

// AppendXMLText appends s escaped as encoding/xml's printer escapes
// character data: the five markup characters and tab, newline and
// carriage return as references, and anything outside XML's character
// range (or invalid UTF-8) as U+FFFD.
func AppendXMLText(dst []byte, s string) []byte {
	last := 0
	for i := 0; i < len(s); {
		if plainXMLByte[s[i]] { // most text: printable ASCII needing no reference
			i++
			continue
		}
		r, width := utf8.DecodeRuneInString(s[i:])
		var esc string
		switch r {
		case '"':
			esc = "&#34;"
		case '\'':
			esc = "&#39;"
		case '&':
			esc = "&amp;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '\t':
			esc = "&#x9;"
		case '\n':
			esc = "&#xA;"
		case '\r':
			esc = "&#xD;"
		default:
			if !isXMLChar(r) || (r == utf8.RuneError && width == 1) {
				esc = "\uFFFD"
			}
		}
		if esc != "" {
			dst = append(dst, s[last:i]...)
			dst = append(dst, esc...)
			last = i + width
		}
		i += width
	}
	return append(dst, s[last:]...)
}

// plainXMLByte marks the ASCII bytes AppendXMLText copies as they are:
// printable characters other than the five markup characters.
var plainXMLByte = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = !strings.ContainsRune(`"'&<>`, rune(c))
	}
	return t
}()

// isXMLChar reports whether r is in XML 1.0's Char production.
func isXMLChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}
