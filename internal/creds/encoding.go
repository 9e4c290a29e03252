package creds

import (
	"encoding/binary"
	"errors"
	"time"
)

// The session encoding (format version 1) is, in order: kind byte, flags
// byte, the string fields of stringFields, Tags, TransitiveTagKeys,
// PolicyARNs, IssuedAt, Expires. A string is a uvarint length and its bytes;
// a list is a uvarint count and its items; a time is varint Unix seconds and
// uvarint nanoseconds.

const (
	flagMFA byte = 1 << iota
	flagChained
	flagMFATime
	flagConsole
	knownFlags = flagMFA | flagChained | flagMFATime | flagConsole
)

var errMalformedSession = errors.New("malformed session encoding")

// stringFields lists the session's string fields in encoding order.
func (s *Session) stringFields() [10]*string {
	return [...]*string{
		&s.AccessKeyID, &s.SecretAccessKey, &s.Account,
		&s.RoleARN, &s.RoleID, &s.SessionName,
		&s.UserARN, &s.UserID, &s.SourceIdentity, &s.SessionPolicy,
	}
}

// appendSession appends the binary encoding of s to b.
func appendSession(b []byte, s *Session) []byte {
	b = append(b, byte(s.Kind), sessionFlags(s))
	for _, field := range s.stringFields() {
		b = appendString(b, *field)
	}
	b = binary.AppendUvarint(b, uint64(len(s.Tags)))
	for _, tag := range s.Tags {
		b = appendString(appendString(b, tag.Key), tag.Value)
	}
	b = appendStrings(b, s.TransitiveTagKeys)
	b = appendStrings(b, s.PolicyARNs)
	b = appendTime(b, s.IssuedAt)
	b = appendTime(b, s.Expires)
	if !s.MFAAuthAt.IsZero() {
		b = appendTime(b, s.MFAAuthAt)
	}
	return b
}

func sessionFlags(s *Session) byte {
	var flags byte
	if s.MFA {
		flags |= flagMFA
	}
	if s.Chained {
		flags |= flagChained
	}
	if !s.MFAAuthAt.IsZero() {
		flags |= flagMFATime
	}
	if s.Console {
		flags |= flagConsole
	}
	return flags
}

func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

func appendStrings(b []byte, list []string) []byte {
	b = binary.AppendUvarint(b, uint64(len(list)))
	for _, s := range list {
		b = appendString(b, s)
	}
	return b
}

func appendTime(b []byte, t time.Time) []byte {
	return binary.AppendUvarint(binary.AppendVarint(b, t.Unix()), uint64(t.Nanosecond()))
}

// decodeSession parses the binary encoding made by appendSession. Times come
// back in UTC and empty lists as nil.
func decodeSession(b []byte) (*Session, error) {
	// The session's strings are cut from one copy of b: one allocation
	// rather than one per string.
	d := decoder{rest: b, text: string(b)}
	s := &Session{Kind: SessionKind(d.readByte())}
	flags := d.readByte()
	for _, field := range s.stringFields() {
		*field = d.readString()
	}
	s.Tags = d.readTags()
	s.TransitiveTagKeys = d.readStrings()
	s.PolicyARNs = d.readStrings()
	s.IssuedAt = d.readTime()
	s.Expires = d.readTime()
	if flags&flagMFATime != 0 {
		s.MFAAuthAt = d.readTime()
	}
	if d.failed || len(d.rest) != 0 || flags&^knownFlags != 0 || !s.Kind.known() {
		return nil, errMalformedSession
	}
	s.MFA = flags&flagMFA != 0
	s.Chained = flags&flagChained != 0
	s.Console = flags&flagConsole != 0
	return s, nil
}

// decoder reads the session encoding. After the first error it sets failed
// and returns zero values, so callers check once at the end.
type decoder struct {
	rest []byte
	// text is the whole input as a string (or empty): readString returns
	// substrings of it instead of copying.
	text   string
	failed bool
}

func (d *decoder) fail() {
	d.failed = true
	d.rest = nil
}

func (d *decoder) readByte() byte {
	if len(d.rest) == 0 {
		d.fail()
		return 0
	}
	b := d.rest[0]
	d.rest = d.rest[1:]
	return b
}

func (d *decoder) readUvarint() uint64 {
	v, n := binary.Uvarint(d.rest)
	d.skipVarint(n)
	return v
}

func (d *decoder) readVarint() int64 {
	v, n := binary.Varint(d.rest)
	d.skipVarint(n)
	return v
}

// skipVarint consumes a varint of n bytes, failing on a malformed or
// non-minimal one (a final zero byte), so each session has one encoding.
func (d *decoder) skipVarint(n int) {
	if n <= 0 || n > 1 && d.rest[n-1] == 0 {
		d.fail()
		return
	}
	d.rest = d.rest[n:]
}

// readCount reads a length or item count, which can never exceed the bytes left
// since every item takes at least one byte.
func (d *decoder) readCount() int {
	n := d.readUvarint()
	if n > uint64(len(d.rest)) {
		d.fail()
		return 0
	}
	return int(n)
}

func (d *decoder) readString() string {
	n := d.readCount()
	var s string
	if d.text != "" {
		off := len(d.text) - len(d.rest)
		s = d.text[off : off+n]
	} else {
		s = string(d.rest[:n])
	}
	d.rest = d.rest[n:]
	return s
}

func (d *decoder) readStrings() []string {
	n := d.readCount()
	if n == 0 {
		return nil
	}
	list := make([]string, n)
	for i := range list {
		list[i] = d.readString()
	}
	return list
}

func (d *decoder) readTags() []Tag {
	n := d.readCount()
	if n == 0 {
		return nil
	}
	tags := make([]Tag, n)
	for i := range tags {
		tags[i] = Tag{Key: d.readString(), Value: d.readString()}
	}
	return tags
}

func (d *decoder) readTime() time.Time {
	sec := d.readVarint()
	nsec := d.readUvarint()
	if nsec >= uint64(time.Second) {
		d.fail()
		return time.Time{}
	}
	return time.Unix(sec, int64(nsec)).UTC()
}
