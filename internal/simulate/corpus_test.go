package simulate

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/sekisho/sekisho/internal/authz"
	"github.com/sekisho/sekisho/internal/policy"
)

// corpusFile is one YAML file of the golden corpus in testdata/corpus.
type corpusFile struct {
	Cases    []evalCase     `yaml:"cases"`
	Validate []validateCase `yaml:"validate"`
	Public   []publicCase   `yaml:"public"`
}

// publicCase is one bucket policy and whether S3 Block Public Access
// counts it as public.
type publicCase struct {
	Name   string `yaml:"name"`
	Pins   string `yaml:"pins"`
	Doc    string `yaml:"doc"`
	Public bool   `yaml:"public"`
}

// evalCase is one decision: policies, request, and the expected outcome.
type evalCase struct {
	Name            string   `yaml:"name"`
	Pins            string   `yaml:"pins"` // the AWS documentation behaviour the case pins
	Principal       string   `yaml:"principal"`
	Action          string   `yaml:"action"`
	Resource        string   `yaml:"resource"`
	ResourceAccount string   `yaml:"resource_account"`
	Context         []string `yaml:"context"`
	Now             string   `yaml:"now"`
	Identity        []string `yaml:"identity"`
	ResourcePolicy  string   `yaml:"resource_policy"`
	Boundary        string   `yaml:"boundary"`
	Session         []string `yaml:"session"`
	SCP             []string `yaml:"scp"`
	RCP             []string `yaml:"rcp"`
	Expect          string   `yaml:"expect"`   // allowed | implicitly denied | explicitly denied
	Deciding        []string `yaml:"deciding"` // e.g. identity[0]#1, resource#0
	Missing         []string `yaml:"missing"`  // identity, resource, boundary, session, scp, rcp
	Message         string   `yaml:"message"`
}

// validateCase is one document checked for validity.
type validateCase struct {
	Name  string `yaml:"name"`
	Pins  string `yaml:"pins"`
	Type  string `yaml:"type"`
	Doc   string `yaml:"doc"`
	Error string `yaml:"error"` // AWS's message; empty when the document is valid
}

func loadCorpus(t *testing.T) map[string]corpusFile {
	t.Helper()
	paths, err := filepath.Glob("../../testdata/corpus/*.yaml")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no corpus files: %v", err)
	}
	out := map[string]corpusFile{}
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var f corpusFile
		dec := yaml.NewDecoder(strings.NewReader(string(raw)))
		dec.KnownFields(true)
		if err := dec.Decode(&f); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		out[filepath.Base(p)] = f
	}
	return out
}

func TestCorpus(t *testing.T) {
	total := 0
	for file, f := range loadCorpus(t) {
		for _, c := range f.Cases {
			total++
			t.Run(file+"/"+c.Name, func(t *testing.T) { runEvalCase(t, c) })
		}
		for _, c := range f.Validate {
			total++
			t.Run(file+"/validate/"+c.Name, func(t *testing.T) { runValidateCase(t, c) })
		}
		for _, c := range f.Public {
			total++
			t.Run(file+"/public/"+c.Name, func(t *testing.T) { runPublicCase(t, c) })
		}
	}
	t.Logf("%d corpus cases", total)
}

func docs(prefix string, texts []string) []Doc {
	var out []Doc
	for i, text := range texts {
		out = append(out, Doc{Name: fmt.Sprintf("%s[%d]", prefix, i), Text: text})
	}
	return out
}

func optionalDoc(name, text string) *Doc {
	if text == "" {
		return nil
	}
	return &Doc{Name: name, Text: text}
}

func (c evalCase) input(t *testing.T) Input {
	in := Input{
		Principal: c.Principal, Action: c.Action, Resource: c.Resource, ResourceAccount: c.ResourceAccount,
		Identity: docs("identity", c.Identity), Session: docs("session", c.Session),
		ResourcePolicy: optionalDoc("resource", c.ResourcePolicy), Boundary: optionalDoc("boundary", c.Boundary),
		Now: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC),
	}
	if c.SCP != nil {
		in.SCPs = docs("scp", c.SCP)
	}
	if c.RCP != nil {
		in.RCPs = docs("rcp", c.RCP)
	}
	if c.Now != "" {
		now, err := time.Parse(time.RFC3339, c.Now)
		if err != nil {
			t.Fatalf("now: %v", err)
		}
		in.Now = now
	}
	for _, kv := range c.Context {
		pair, err := ParseKeyValue(kv)
		if err != nil {
			t.Fatal(err)
		}
		in.Context = append(in.Context, pair)
	}
	return in
}

func runEvalCase(t *testing.T, c evalCase) {
	if c.Pins == "" {
		t.Errorf("case has no pins: say which AWS behaviour it pins")
	}
	req, err := Build(c.input(t))
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	d := authz.Evaluate(req)
	if got := d.Effect.String(); got != c.Expect {
		t.Errorf("decision = %q, want %q (reason %s, missing %v, deciding %v)", got, c.Expect, d.Reason, d.Missing(), refs(&d))
	}
	if c.Deciding != nil && !slices.Equal(refs(&d), c.Deciding) {
		t.Errorf("deciding = %v, want %v", refs(&d), c.Deciding)
	}
	if c.Missing != nil {
		var got []string
		for _, m := range d.Missing() {
			got = append(got, m.Key())
		}
		if !slices.Equal(got, c.Missing) {
			t.Errorf("missing = %v, want %v", got, c.Missing)
		}
	}
	if c.Message != "" && d.Message() != c.Message {
		t.Errorf("message =\n  %s\nwant\n  %s", d.Message(), c.Message)
	}
}

// refs renders deciding statements as "<policy name>#<statement index>".
func refs(d *authz.Decision) []string {
	out := []string{}
	for _, s := range d.Statements() {
		out = append(out, fmt.Sprintf("%s#%d", s.Name(), s.Index))
	}
	return out
}

func runValidateCase(t *testing.T, c validateCase) {
	if c.Pins == "" {
		t.Errorf("case has no pins: say which AWS behaviour it pins")
	}
	typ, err := policy.ParseType(c.Type)
	if err != nil {
		t.Fatal(err)
	}
	_, err = policy.ParseCustomer(c.Doc, typ)
	switch {
	case c.Error == "" && err != nil:
		t.Errorf("want valid, got %v", err)
	case c.Error != "" && err == nil:
		t.Errorf("want error %q, got valid", c.Error)
	case c.Error != "":
		pe, ok := err.(*policy.Error)
		if !ok || pe.Message != c.Error {
			t.Errorf("error = %v, want message %q", err, c.Error)
		}
	}
}

func runPublicCase(t *testing.T, c publicCase) {
	if c.Pins == "" {
		t.Errorf("case has no pins: say which AWS behaviour it pins")
	}
	p, err := policy.Parse(c.Doc, policy.Resource)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	if got := p.IsPublic(); got != c.Public {
		t.Errorf("IsPublic = %v, want %v", got, c.Public)
	}
}
