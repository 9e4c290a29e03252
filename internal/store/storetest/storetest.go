// Package storetest is the conformance suite of store.Store: every
// implementation runs Run from its tests and must pass it unchanged.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/store"
)

// Accounts the suite uses.
const (
	acctA = "111111111111"
	acctB = "222222222222"
)

// Run runs the suite, one subtest per area. open must return a new, empty
// store on every call and close it when its test ends (t.Cleanup).
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(h *h)
	}{
		{"Accounts", testAccounts},
		{"Users", testUsers},
		{"UserDeleteConflicts", testUserDeleteConflicts},
		{"AccessKeys", testAccessKeys},
		{"AccessKeyLimits", testAccessKeyLimits},
		{"LoginProfiles", testLoginProfiles},
		{"Groups", testGroups},
		{"GroupMembership", testGroupMembership},
		{"GroupLimit", testGroupLimit},
		{"GroupDeleteConflicts", testGroupDeleteConflicts},
		{"Roles", testRoles},
		{"RoleDeleteConflicts", testRoleDeleteConflicts},
		{"InstanceProfiles", testInstanceProfiles},
		{"Policies", testPolicies},
		{"PolicyVersions", testPolicyVersions},
		{"PolicyDeleteConflicts", testPolicyDeleteConflicts},
		{"InlinePolicies", testInlinePolicies},
		{"Attachments", testAttachments},
		{"AttachmentLimit", testAttachmentLimit},
		{"MFADevices", testMFADevices},
		{"MFALimit", testMFALimit},
		{"MFAStepRace", testMFAStepRace},
		{"OIDCProviders", testOIDCProviders},
		{"Buckets", testBuckets},
		{"BucketFields", testBucketFields},
		{"BucketSettings", testBucketSettings},
		{"BucketSettingRace", testBucketSettingRace},
		{"Settings", testSettings},
		{"SAMLProviders", testSAMLProviders},
		{"Organizations", testOrganizations},
		{"Rollback", testRollback},
		{"ReadOnlyView", testReadOnlyView},
		{"CanceledContext", testCanceledContext},
		{"Generation", testGeneration},
		{"Times", testTimes},
		{"ConcurrentWriters", testConcurrentWriters},
		{"Decisions", testDecisions},
		{"DecisionList", testDecisionList},
		{"DecisionPrune", testDecisionPrune},
		{"DecisionGeneration", testDecisionGeneration},
		{"DecisionBatch", testDecisionBatch},
		{"RecordUses", testRecordUses},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(&h{T: t, s: open(t), ctx: context.Background()})
		})
	}
}

// h is one subtest's harness: its store and helpers around it.
type h struct {
	*testing.T
	s   store.Store
	ctx context.Context
	seq int
}

// id returns a new unique id with this prefix (AIDA, AGPA...).
func (h *h) id(prefix string) string {
	h.seq++
	return fmt.Sprintf("%s%017d", prefix, h.seq)
}

// update runs fn in an Update that must succeed.
func (h *h) update(fn func(tx store.Tx) error) {
	h.Helper()
	if err := h.s.Update(h.ctx, fn); err != nil {
		h.Fatalf("Update: %v", err)
	}
}

// view runs fn in a View that must succeed.
func (h *h) view(fn func(tx store.Tx) error) {
	h.Helper()
	if err := h.s.View(h.ctx, fn); err != nil {
		h.Fatalf("View: %v", err)
	}
}

// fails runs fn in an Update that must fail with want (errors.Is). fn
// should return the error of the one call under test.
func (h *h) fails(want error, fn func(tx store.Tx) error) error {
	h.Helper()
	err := h.s.Update(h.ctx, fn)
	if !errors.Is(err, want) {
		h.Fatalf("got error %v, want %v", err, want)
	}
	return err
}

// must fails the test on err.
func (h *h) must(err error) {
	h.Helper()
	if err != nil {
		h.Fatal(err)
	}
}

// at is a fixed UTC time with millisecond precision, sec seconds in.
func at(sec int) time.Time {
	return time.Date(2024, 5, 6, 7, 8, 0, 123_000_000, time.UTC).Add(time.Duration(sec) * time.Second)
}

// equal compares got and want, treating times by instant and empty
// slices as nil.
func equal[T any](h *h, what string, got, want T) {
	h.Helper()
	g, w := normalize(got), normalize(want)
	if !reflect.DeepEqual(g, w) {
		h.Fatalf("%s:\n got  %+v\n want %+v", what, g, w)
	}
}

func normalize(v any) any {
	c := reflect.New(reflect.TypeOf(v)).Elem()
	c.Set(deepCopy(reflect.ValueOf(v)))
	return c.Interface()
}

// deepCopy copies structs and slices, turning times to UTC and empty
// slices to nil.
func deepCopy(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.Struct:
		if t, ok := v.Interface().(time.Time); ok {
			return reflect.ValueOf(t.UTC())
		}
		c := reflect.New(v.Type()).Elem()
		for i := range v.NumField() {
			c.Field(i).Set(deepCopy(v.Field(i)))
		}
		return c
	case reflect.Slice:
		if v.Len() == 0 {
			return reflect.Zero(v.Type())
		}
		c := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := range v.Len() {
			c.Index(i).Set(deepCopy(v.Index(i)))
		}
		return c
	}
	return v
}

// names maps items to their names.
func names[T any](items []T, name func(T) string) string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = name(it)
	}
	return strings.Join(out, ",")
}

// sameNames checks a list's names in order.
func sameNames[T any](h *h, what string, items []T, err error, name func(T) string, want string) {
	h.Helper()
	h.must(err)
	if got := names(items, name); got != want {
		h.Fatalf("%s: got [%s], want [%s]", what, got, want)
	}
}

func userName(u store.User) string               { return u.Name }
func groupName(g store.Group) string             { return g.Name }
func roleName(r store.Role) string               { return r.Name }
func policyName(p store.ManagedPolicy) string    { return p.Name }
func profileName(p store.InstanceProfile) string { return p.Name }

// noSecret fails if err's text holds secret.
func noSecret(h *h, err error, secret string) {
	h.Helper()
	if err != nil && strings.Contains(err.Error(), secret) {
		h.Fatalf("error %q reveals a secret", err)
	}
}

// Fixtures: each creates an entity in its own Update and returns it.

func (h *h) mkUser(account, name string) store.User {
	h.Helper()
	u := store.User{Account: account, Name: name, Path: "/", ID: h.id("AIDA"), CreatedAt: at(0)}
	h.update(func(tx store.Tx) error { return tx.CreateUser(u) })
	return u
}

func (h *h) mkGroup(account, name string) store.Group {
	h.Helper()
	g := store.Group{Account: account, Name: name, Path: "/", ID: h.id("AGPA"), CreatedAt: at(0)}
	h.update(func(tx store.Tx) error { return tx.CreateGroup(g) })
	return g
}

func (h *h) mkRole(account, name string) store.Role {
	h.Helper()
	r := store.Role{Account: account, Name: name, Path: "/", ID: h.id("AROA"), TrustPolicy: trustDoc,
		MaxSessionDuration: 3600, CreatedAt: at(0)}
	h.update(func(tx store.Tx) error { return tx.CreateRole(r) })
	return r
}

// mkPolicy creates a managed policy at path "/" with version v1 and
// returns its ARN.
func (h *h) mkPolicy(account, name string) string {
	h.Helper()
	p := store.ManagedPolicy{Account: account, Name: name, Path: "/", ID: h.id("ANPA"), DefaultVersionID: "v1",
		CreatedAt: at(0), UpdatedAt: at(0)}
	h.update(func(tx store.Tx) error {
		return tx.CreatePolicy(p, store.PolicyVersion{VersionID: "v1", Document: allowDoc, CreatedAt: at(0)})
	})
	return store.PolicyARN(account, "/", name)
}

const (
	allowDoc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`
	denyDoc  = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`
	trustDoc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
)
