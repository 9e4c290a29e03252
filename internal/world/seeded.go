package world

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"time"

	"github.com/sekisho/sekisho/internal/store"
)

// seededSetting names the store setting that lists every entity a world
// has ever seeded into the store (a JSON array of ledger keys).
const seededSetting = "world.seeded"

// errSkip tells loader.once that the entity was left out on purpose: it
// is not recorded, so a later start tries again.
var errSkip = errors.New("skipped")

// loader writes one or more worlds into one transaction. It creates each
// declared entity at most once in the life of the store: an entity the
// ledger (seededSetting) records is never looked at again, so whatever
// the APIs did to it since — a deactivated key, a new boundary, a deleted
// bucket policy, a deleted user — stays done. An entity that exists
// without being recorded (created through the API, or by a Sekisho that
// kept no ledger) is left exactly as it is and recorded.
type loader struct {
	tx      store.Tx
	now     time.Time
	log     *slog.Logger
	seeded  map[string]bool
	added   []string
	objects ObjectWriter
	pending []pendingObject // objects to write once the transaction commits
}

type pendingObject struct {
	key    string // the ledger key
	bucket string
	name   string
	data   []byte
}

func newLoader(tx store.Tx, now time.Time, log *slog.Logger, objects ObjectWriter) (*loader, error) {
	seeded, err := readSeeded(tx)
	if err != nil {
		return nil, err
	}
	return &loader{tx: tx, now: now, log: log, seeded: seeded, objects: objects}, nil
}

func readSeeded(tx store.Tx) (map[string]bool, error) {
	seeded := map[string]bool{}
	v, err := tx.GetSetting(seededSetting)
	if errors.Is(err, store.ErrNotFound) {
		return seeded, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the world ledger: %w", err)
	}
	var keys []string
	if err := json.Unmarshal([]byte(v), &keys); err != nil {
		return nil, fmt.Errorf("read the world ledger: %w", err)
	}
	for _, k := range keys {
		seeded[k] = true
	}
	return seeded, nil
}

// once runs create unless the entity named key was seeded before, and
// records key when create succeeds. create returns errSkip to leave the
// entity out without recording it.
func (l *loader) once(key string, create func() error) error {
	if l.seeded[key] {
		return nil
	}
	err := create()
	if errors.Is(err, errSkip) {
		return nil
	}
	if err != nil {
		return err
	}
	l.record(key)
	return nil
}

func (l *loader) record(key string) {
	if !l.seeded[key] {
		l.seeded[key] = true
		l.added = append(l.added, key)
	}
}

// tolerate turns a not-found (or limit) error into errSkip when one of
// deps was seeded before, i.e. the APIs have changed it since (deleted it,
// or gave it its quota of keys or policies): a world never re-creates what
// was deleted, and what needs it is left out. A missing dependency the
// world never seeded is a mistake in the world file.
func (l *loader) tolerate(err error, what string, deps ...string) error {
	if !errors.Is(err, store.ErrNotFound) && !errors.Is(err, store.ErrLimit) {
		return err
	}
	for _, d := range deps {
		if l.seeded[d] {
			l.log.Warn("world: skipped after API changes to what it needs", "entity", what, "changed", d, "err", err.Error())
			return errSkip
		}
	}
	return err
}

// saveSeeded writes the ledger when this load added to it.
func saveSeeded(tx store.Tx, seeded map[string]bool, added int) error {
	if added == 0 {
		return nil
	}
	keys := make([]string, 0, len(seeded))
	for k := range seeded {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	raw, err := json.Marshal(keys)
	if err != nil {
		return err
	}
	if err := tx.PutSetting(seededSetting, string(raw)); err != nil {
		return fmt.Errorf("write the world ledger: %w", err)
	}
	return nil
}

// Ledger keys. IAM names compare case-insensitively, so they are folded;
// access key ids, bucket names and object keys are kept as they are.
func accountKey(id string) string   { return "account/" + id }
func accessKeyKey(id string) string { return "key/" + id }
func policyKey(arn string) string   { return "policy/" + strings.ToLower(arn) }
func userKey(account, name string) string {
	return "user/" + account + "/" + strings.ToLower(name)
}
func groupKey(account, name string) string {
	return "group/" + account + "/" + strings.ToLower(name)
}
func roleKey(account, name string) string {
	return "role/" + account + "/" + strings.ToLower(name)
}
func memberKey(account, group, user string) string {
	return "member/" + account + "/" + strings.ToLower(group) + "/" + strings.ToLower(user)
}
func loginKey(account, user string) string { return "login/" + account + "/" + strings.ToLower(user) }
func entityKey(account string, kind store.EntityKind, name string) string {
	return string(kind) + "/" + account + "/" + strings.ToLower(name)
}
func attachKey(account string, kind store.EntityKind, entity, arn string) string {
	return "attach/" + entityKey(account, kind, entity) + "/" + strings.ToLower(arn)
}
func inlineKey(account string, kind store.EntityKind, entity, name string) string {
	return "inline/" + entityKey(account, kind, entity) + "/" + strings.ToLower(name)
}
func profileKey(account, name string) string {
	return "instance-profile/" + account + "/" + strings.ToLower(name)
}
func bucketKey(name string) string        { return "bucket/" + name }
func objectKey(bucket, key string) string { return "object/" + bucket + "/" + key }
