// Package principalid keeps the users and roles named in stored trust and
// bucket policies bound to identities rather than to names, as AWS does.
//
// AWS stores a Principal element's user or role ARN as that principal's
// unique id (AIDA…, AROA…) and shows the current ARN when the policy is
// read. When the principal is deleted, the id no longer maps back to an
// ARN, so the policy shows the bare id, and a user or role later created
// with the same name is a different principal that the policy does not
// name. Sekisho stores the ARN as written and makes the same outcome
// explicit: deleting a principal rewrites its ARN to its unique id in
// every stored trust and bucket policy (Forget), renaming a user rewrites
// its old ARN to the new one (Retarget), and a policy being written may
// name only principals that exist, a bare unique id getting its
// principal's current ARN (Bind).
package principalid

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/sekisho/sekisho/internal/arn"
	"github.com/sekisho/sekisho/internal/policy"
	"github.com/sekisho/sekisho/internal/store"
)

// Forget rewrites principalARN to uniqueID in the Principal and
// NotPrincipal elements of every role's trust policy and every bucket
// policy. Call it inside the transaction that deletes the principal, so
// no reader ever sees the principal gone while a policy still names it.
func Forget(tx store.Tx, principalARN, uniqueID string) error {
	return Retarget(tx, principalARN, uniqueID)
}

// Retarget rewrites every stored trust and bucket policy's principal
// value from (compared case-insensitively, as IAM names are) to to.
func Retarget(tx store.Tx, from, to string) error {
	replace := func(v string) (string, bool) {
		if strings.EqualFold(v, from) {
			return to, true
		}
		return "", false
	}
	if err := retargetTrustPolicies(tx, replace); err != nil {
		return fmt.Errorf("rewrite trust policies naming %s: %w", from, err)
	}
	if err := retargetBucketPolicies(tx, replace); err != nil {
		return fmt.Errorf("rewrite bucket policies naming %s: %w", from, err)
	}
	return nil
}

func retargetTrustPolicies(tx store.Tx, replace func(string) (string, bool)) error {
	accounts, err := tx.ListAccounts()
	if err != nil {
		return err
	}
	for _, a := range accounts {
		roles, err := tx.ListRoles(a.ID, "")
		if err != nil {
			return err
		}
		for _, r := range roles {
			doc, changed := Rewrite(r.TrustPolicy, replace)
			if !changed {
				continue
			}
			r.TrustPolicy = doc
			if err := tx.UpdateRole(r); err != nil {
				return err
			}
		}
	}
	return nil
}

func retargetBucketPolicies(tx store.Tx, replace func(string) (string, bool)) error {
	buckets, err := tx.ListBuckets("") // every account's
	if err != nil {
		return err
	}
	for _, b := range buckets {
		if b.Policy == "" {
			continue
		}
		doc, changed := Rewrite(b.Policy, replace)
		if !changed {
			continue
		}
		b.Policy = doc
		if err := tx.UpdateBucket(b); err != nil {
			return err
		}
	}
	return nil
}

// UnknownPrincipalError is a principal in a policy being written that
// names no existing user or role: a bare unique id (a deleted one's, as
// GetRole and GetBucketPolicy show it), or a user or role ARN of an
// account this emulator holds. AWS refuses such a policy as "Invalid
// principal in policy".
type UnknownPrincipalError struct{ Value string }

func (e *UnknownPrincipalError) Error() string {
	return fmt.Sprintf("%s names no existing user or role", e.Value)
}

// Bind prepares a policy for storing: each bare user or role unique id
// in its principals becomes that principal's current ARN, as AWS shows it
// when the policy is read back, and every principal must exist
// (*UnknownPrincipalError otherwise), so the policy names the principals
// of today and never a future namesake.
func Bind(tx store.Tx, doc string) (string, error) {
	var failure error
	out, _ := Rewrite(doc, func(v string) (string, bool) {
		if failure != nil {
			return "", false
		}
		if !policy.IsPrincipalUniqueID(v) {
			failure = checkExists(tx, v)
			return "", false
		}
		arn, err := currentARN(tx, v)
		if err != nil {
			failure = err
			return "", false
		}
		return arn, true
	})
	if failure != nil {
		return "", failure
	}
	return out, nil
}

func currentARN(tx store.Tx, id string) (string, error) {
	if strings.HasPrefix(id, "AIDA") {
		u, err := tx.GetUserByID(id)
		if errors.Is(err, store.ErrNotFound) {
			return "", &UnknownPrincipalError{Value: id}
		}
		return "arn:aws:iam::" + u.Account + ":user" + u.Path + u.Name, err
	}
	r, err := tx.GetRoleByID(id)
	if errors.Is(err, store.ErrNotFound) {
		return "", &UnknownPrincipalError{Value: id}
	}
	return "arn:aws:iam::" + r.Account + ":role" + r.Path + r.Name, err
}

// checkExists fails for a user or role ARN, with its path, that names
// nothing in an account this emulator holds. Anything else (account ids,
// root ARNs, sessions, other accounts) is taken on trust.
func checkExists(tx store.Tx, value string) error {
	a, err := arn.Parse(value)
	if err != nil || a.Service != "iam" {
		return nil
	}
	kind, rest, ok := strings.Cut(a.Resource, "/")
	if !ok || (kind != "user" && kind != "role") {
		return nil
	}
	if _, err := tx.GetAccount(a.Account); errors.Is(err, store.ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	full := "/" + rest
	slash := strings.LastIndexByte(full, '/')
	path, name := full[:slash+1], full[slash+1:]
	var stored string
	if kind == "user" {
		var u store.User
		u, err = tx.GetUser(a.Account, name)
		stored = u.Path
	} else {
		var r store.Role
		r, err = tx.GetRole(a.Account, name)
		stored = r.Path
	}
	switch {
	case errors.Is(err, store.ErrNotFound) || (err == nil && stored != path):
		return &UnknownPrincipalError{Value: value}
	case err != nil:
		return err
	}
	return nil
}

// Rewrite returns doc with each "AWS" value of a statement's Principal or
// NotPrincipal element replaced by replace(value) where replace reports
// true. Every other byte of doc stays as it was, so a document reads back
// as written apart from the replaced values. A document that is not a
// JSON object comes back unchanged.
func Rewrite(doc string, replace func(string) (string, bool)) (string, bool) {
	spans, err := principalValues(doc)
	if err != nil || len(spans) == 0 {
		return doc, false
	}
	var b strings.Builder
	last, changed := 0, false
	for _, s := range spans {
		to, ok := replace(s.value)
		if !ok {
			continue
		}
		quoted, err := json.Marshal(to)
		if err != nil {
			continue
		}
		b.WriteString(doc[last:s.start])
		b.Write(quoted)
		last, changed = s.end, true
	}
	if !changed {
		return doc, false
	}
	b.WriteString(doc[last:])
	return b.String(), true
}

// span is a JSON string in a document: its decoded value and the byte
// range of its quoted form.
type span struct {
	value      string
	start, end int
}

// principalValues finds the strings of Statement[*].Principal.AWS and
// Statement[*].NotPrincipal.AWS, in document order.
func principalValues(doc string) ([]span, error) {
	w := walker{doc: doc, dec: json.NewDecoder(strings.NewReader(doc))}
	if err := w.object(func(key string) error {
		if key != "Statement" {
			return w.skip()
		}
		return w.statements()
	}); err != nil {
		return nil, err
	}
	return w.found, nil
}

// walker reads a document token by token, remembering where the strings
// it is asked to collect are.
type walker struct {
	doc   string
	dec   *json.Decoder
	found []span
}

var errShape = errors.New("unexpected JSON shape")

// object reads an object, calling member for each key with the decoder
// positioned before the key's value; member must consume the value.
func (w *walker) object(member func(key string) error) error {
	if err := w.delim('{'); err != nil {
		return err
	}
	for w.dec.More() {
		t, err := w.dec.Token()
		if err != nil {
			return err
		}
		key, ok := t.(string)
		if !ok {
			return errShape
		}
		if err := member(key); err != nil {
			return err
		}
	}
	return w.delim('}')
}

func (w *walker) delim(want json.Delim) error {
	t, err := w.dec.Token()
	if err != nil {
		return err
	}
	if d, ok := t.(json.Delim); !ok || d != want {
		return errShape
	}
	return nil
}

// statements reads a Statement value: one statement or an array of them.
func (w *walker) statements() error {
	if w.peek() != '[' {
		return w.statement()
	}
	if err := w.delim('['); err != nil {
		return err
	}
	for w.dec.More() {
		if err := w.statement(); err != nil {
			return err
		}
	}
	return w.delim(']')
}

func (w *walker) statement() error {
	if w.peek() != '{' {
		return w.skip()
	}
	return w.object(func(key string) error {
		if key != "Principal" && key != "NotPrincipal" {
			return w.skip()
		}
		if w.peek() != '{' {
			return w.skip() // "*"
		}
		return w.object(func(kind string) error {
			if kind != "AWS" {
				return w.skip()
			}
			return w.strings()
		})
	})
}

// strings collects a string or an array of strings.
func (w *walker) strings() error {
	if w.peek() != '[' {
		return w.collect()
	}
	if err := w.delim('['); err != nil {
		return err
	}
	for w.dec.More() {
		if err := w.collect(); err != nil {
			return err
		}
	}
	return w.delim(']')
}

// collect reads one value and records it when it is a string.
func (w *walker) collect() error {
	if w.peek() != '"' {
		return w.skip()
	}
	before := int(w.dec.InputOffset())
	t, err := w.dec.Token()
	if err != nil {
		return err
	}
	end := int(w.dec.InputOffset())
	// Between the previous token and this string lie only white space,
	// ':' and ',': the first quote opens the string.
	start := before + strings.IndexByte(w.doc[before:end], '"')
	w.found = append(w.found, span{value: t.(string), start: start, end: end})
	return nil
}

// peek returns the first byte of the next value.
func (w *walker) peek() byte {
	for i := int(w.dec.InputOffset()); i < len(w.doc); i++ {
		switch c := w.doc[i]; c {
		case ' ', '\t', '\r', '\n', ':', ',':
		default:
			return c
		}
	}
	return 0
}

// skip consumes the next value whole.
func (w *walker) skip() error {
	var raw json.RawMessage
	err := w.dec.Decode(&raw)
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}
