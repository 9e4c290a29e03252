package analyze

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/store/sqlite"
	"github.com/sekisho/sekisho/internal/world"
)

const (
	roleA      = "arn:aws:iam::111111111111:role/"
	userB      = "arn:aws:iam::222222222222:user/"
	demoObject = "arn:aws:s3:::account-a-bucket-0525/test.txt"
)

func loadWorld(t testing.TB, w *world.World) *Snapshot {
	t.Helper()
	st, err := sqlite.OpenMemory()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := world.Load(context.Background(), st, w); err != nil {
		t.Fatal(err)
	}
	s, err := Load(context.Background(), st)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func parseWorld(t testing.TB, text string) *world.World {
	t.Helper()
	w, err := world.Parse([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func byPrincipal(paths []Path) map[string]Path {
	out := map[string]Path{}
	for _, p := range paths {
		out[p.Principal.ARN] = p
	}
	return out
}

func whoCan(t *testing.T, s *Snapshot, action, resource string) map[string]Path {
	t.Helper()
	paths, err := s.WhoCan(action, resource)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range paths {
		t.Logf("%s conditional=%v via=%v", p, p.Conditional, p.Via)
	}
	return byPrincipal(paths)
}

func TestWhoCanReadDemoObject(t *testing.T) {
	got := whoCan(t, loadWorld(t, world.Demo()), "s3:GetObject", demoObject)

	root := got["arn:aws:iam::111111111111:root"]
	if root.String() != "arn:aws:iam::111111111111:root → s3:GetObject" || root.Conditional {
		t.Errorf("account A's root should read directly: %q", root)
	}
	for _, role := range []string{"assume_s3_role", "S3GetListRole", "DESTINATION-ROLENAME", "sw-service1-infra"} {
		if p, ok := got[roleA+role]; !ok || len(p.Steps) != 1 {
			t.Errorf("role %s should read directly: %+v", role, p)
		}
	}
	wantVia(t, got, userB+"alice", "assume_s3_role", "S3GetListRole", "DESTINATION-ROLENAME")
	// sw-service1-infra (AWS's ReadOnlyAccess) trusts B's *_infra users only, by condition.
	wantVia(t, got, userB+"bob_infra", "assume_s3_role", "S3GetListRole", "sw-service1-infra")
	wantVia(t, got, "arn:aws:iam::222222222222:role/S3FullAccessFromEC2", "assume_s3_role", "S3GetListRole")
	if got[userB+"bob_infra"].Conditional {
		t.Error("bob_infra's shortest chain should be an unconditional one")
	}
	alice := got[userB+"alice"]
	if want := userB + "alice → sts:AssumeRole " + roleA + "assume_s3_role → s3:GetObject"; alice.String() != want {
		t.Errorf("alice's chain = %q, want %q", alice, want)
	}
	for _, absent := range []string{userB + "carol", "arn:aws:iam::222222222222:root"} {
		if p, ok := got[absent]; ok {
			t.Errorf("%s must not be able to read: %s", absent, p)
		}
	}
}

// wantVia checks that the principal reaches the action in one assumption
// of exactly the named roles of account A.
func wantVia(t *testing.T, got map[string]Path, principal string, roles ...string) {
	t.Helper()
	p, ok := got[principal]
	if !ok {
		t.Errorf("%s is missing", principal)
		return
	}
	var want []string
	for _, r := range roles {
		want = append(want, roleA+r)
	}
	slices.Sort(want)
	via := slices.Sorted(slices.Values(p.Via))
	if !slices.Equal(via, want) || len(p.Steps) != 2 || !slices.Contains(want, p.Steps[0].Resource) {
		t.Errorf("%s: chain %q via %v, want one assumption via %v", principal, p, via, want)
	}
}

func TestWhoCanAssumeConditionalTrust(t *testing.T) {
	got := whoCan(t, loadWorld(t, world.Demo()), "sts:AssumeRole", roleA+"sw-service1-infra")
	bob, ok := got[userB+"bob_infra"]
	if !ok || !bob.Conditional || len(bob.Steps) != 1 || !bob.Steps[0].Conditional {
		t.Fatalf("bob_infra should assume sw-service1-infra directly, conditionally: %+v", bob)
	}
	if len(got) != 1 {
		t.Errorf("only bob_infra matches the *_infra condition; got %d principals", len(got))
	}
}

const chainWorld = `
accounts:
  - id: "333333333333"
    users:
      - name: dave
        inline_policies:
          assume: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "sts:AssumeRole", Resource: "*"}]}
    roles:
      - name: hop1
        trust_policy: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {AWS: "arn:aws:iam::333333333333:user/dave"}, Action: "sts:AssumeRole"}]}
        inline_policies:
          assume: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "sts:AssumeRole", Resource: "*"}]}
  - id: "444444444444"
    roles:
      - name: hop2
        trust_policy: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {AWS: "arn:aws:iam::333333333333:role/hop1"}, Action: "sts:AssumeRole"}]}
        inline_policies:
          read: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "s3:GetObject", Resource: "*"}]}
    buckets:
      - name: chain-bucket
        policy:
          Version: "2012-10-17"
          Statement:
            - Sid: TLSOnly
              Effect: Deny
              Principal: "*"
              Action: "s3:*"
              Resource: "arn:aws:s3:::chain-bucket/*"
              Condition: {Bool: {"aws:SecureTransport": "false"}}
`

func TestWhoCanFollowsChainsAndFlagsConditionalDenies(t *testing.T) {
	got := whoCan(t, loadWorld(t, parseWorld(t, chainWorld)), "s3:GetObject", "arn:aws:s3:::chain-bucket/k")
	dave := got["arn:aws:iam::333333333333:user/dave"]
	want := "arn:aws:iam::333333333333:user/dave → sts:AssumeRole arn:aws:iam::333333333333:role/hop1 → sts:AssumeRole arn:aws:iam::444444444444:role/hop2 → s3:GetObject"
	if dave.String() != want {
		t.Fatalf("dave: %q, want %q", dave, want)
	}
	if !dave.Conditional || !dave.Steps[2].Conditional || dave.Steps[0].Conditional {
		t.Errorf("only the read is conditional (a Deny on aws:SecureTransport could apply): %+v", dave.Steps)
	}
	if len(got) != 4 { // dave, hop1, hop2 and account 444444444444's root
		t.Errorf("got %d principals, want 4", len(got))
	}
}

func TestWhoCanStopsAtMaxChain(t *testing.T) {
	var b strings.Builder
	b.WriteString("accounts:\n  - id: \"555555555555\"\n    users:\n      - name: start\n        inline_policies: {a: " + assumeAnything + "}\n    roles:\n")
	prev := "user/start"
	for i := range MaxChain + 1 {
		policy := assumeAnything
		if i == MaxChain {
			policy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}`
		}
		fmt.Fprintf(&b, "      - name: c%d\n        trust_policy: {Version: \"2012-10-17\", Statement: [{Effect: Allow, Principal: {AWS: \"arn:aws:iam::555555555555:%s\"}, Action: \"sts:AssumeRole\"}]}\n        inline_policies: {p: '%s'}\n", i, prev, policy)
		prev = fmt.Sprintf("role/c%d", i)
	}
	got := whoCan(t, loadWorld(t, parseWorld(t, b.String())), "iam:GetUser", "arn:aws:iam::555555555555:user/start")
	if _, ok := got["arn:aws:iam::555555555555:user/start"]; ok {
		t.Errorf("the user needs %d assumptions, more than MaxChain", MaxChain+1)
	}
	if p := got["arn:aws:iam::555555555555:role/c0"]; len(p.Steps) != MaxChain+1 {
		t.Errorf("c0 should reach in %d assumptions: %q", MaxChain, p)
	}
}

func TestWhoCanRejectsUnknownResources(t *testing.T) {
	s := loadWorld(t, world.Demo())
	for _, tc := range [][2]string{
		{"s3:GetObject", "arn:aws:s3:::no-such-bucket/k"},
		{"sts:AssumeRole", roleA + "no-such-role"},
		{"GetObject", demoObject},
		{"s3:GetObject", "bucket/key"},
	} {
		if _, err := s.WhoCan(tc[0], tc[1]); err == nil {
			t.Errorf("WhoCan(%q, %q) succeeded", tc[0], tc[1])
		}
	}
}
