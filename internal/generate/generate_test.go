package generate

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/policy"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// goldenCase is one testdata/*.json: the options and the logged events.
type goldenCase struct {
	Options Options `json:"options"`
	Events  []Event `json:"events"`
}

// TestGolden generates a policy for every testdata/*.json and compares
// the policy and the summary with testdata/*.golden (go test -update
// rewrites them). Every generated policy must also pass the identity
// policy validator, as `policy validate --type identity` runs it.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden inputs: %v", err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var c goldenCase
			if err := json.Unmarshal(raw, &c); err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			stamp(c.Events)
			res, err := Generate(c.Events, c.Options)
			if err != nil {
				t.Fatalf("Generate: %v", err)
			}
			doc, err := res.PolicyJSON()
			if err != nil {
				t.Fatal(err)
			}
			if _, err := policy.Parse(string(doc), policy.Identity); err != nil {
				t.Fatalf("the generated policy is not a valid identity policy: %v\n%s", err, doc)
			}
			var got bytes.Buffer
			got.Write(doc)
			got.WriteString("---\n")
			res.WriteSummary(&got)
			golden := strings.TrimSuffix(file, ".json") + ".golden"
			if *update {
				if err := os.WriteFile(golden, got.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if got.String() != string(want) {
				t.Errorf("%s differs:\n--- got\n%s\n--- want\n%s", golden, got.String(), want)
			}
		})
	}
}

// stamp gives events without a time one a second apart, so that the
// inputs stay short.
func stamp(events []Event) {
	base := time.Date(2026, 12, 5, 8, 0, 0, 0, time.UTC)
	for i := range events {
		if events[i].Time.IsZero() {
			events[i].Time = base.Add(time.Duration(i) * time.Second)
		}
		if events[i].Allowed && events[i].Decision == "" {
			events[i].Decision = "allowed"
		}
	}
}

func TestResolveTargetRefusesWhatIsNoPrincipal(t *testing.T) {
	for _, p := range []string{"", "alice", "arn:aws:s3:::bucket", "arn:aws:sts::111111111111:assumed-role/OnlyRole",
		"arn:aws:iam::111111111111:group/devs"} {
		if _, err := Generate(nil, Options{Principal: p}); err == nil {
			t.Errorf("Generate for principal %q succeeded", p)
		}
	}
	if _, err := Generate(nil, Options{Principal: "arn:aws:iam::111111111111:user/alice", SessionName: "s"}); err == nil {
		t.Error("a session name for a user was accepted")
	}
	if _, err := Generate(nil, Options{Principal: "arn:aws:iam::111111111111:role/r", GroupBy: "bucket"}); err == nil {
		t.Error("group by bucket was accepted")
	}
}
