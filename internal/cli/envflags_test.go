package cli

import (
	"errors"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

func TestApplyEnvFlagWinsOverVariable(t *testing.T) {
	fl := pflag.NewFlagSet("serve", pflag.ContinueOnError)
	addr := fl.String("addr", "127.0.0.1:4566", "")
	dataDir := fl.String("data-dir", "sekisho-data", "")
	demo := fl.Bool("demo", false, "")
	proxies := fl.StringArray("trusted-proxy", nil, "")
	if err := fl.Parse([]string{"--addr", "127.0.0.1:9000"}); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"SEKISHO_ADDR": "0.0.0.0:1", "SEKISHO_DATA_DIR": "/var/lib/sekisho",
		"SEKISHO_DEMO": "true", "SEKISHO_TRUSTED_PROXY": "10.0.0.0/8, 192.0.2.0/24"}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	if err := applyEnv(fl, lookup); err != nil {
		t.Fatal(err)
	}
	if *addr != "127.0.0.1:9000" {
		t.Errorf("--addr = %q: the command line must win over SEKISHO_ADDR", *addr)
	}
	if *dataDir != "/var/lib/sekisho" || !*demo {
		t.Errorf("data-dir %q, demo %v: the variables were not applied", *dataDir, *demo)
	}
	if strings.Join(*proxies, " ") != "10.0.0.0/8 192.0.2.0/24" {
		t.Errorf("trusted-proxy = %q, want the comma-separated list split", *proxies)
	}
}

func TestApplyEnvBadValueNamesVariable(t *testing.T) {
	fl := pflag.NewFlagSet("serve", pflag.ContinueOnError)
	fl.Int("decision-log-size", 10_000, "")
	err := applyEnv(fl, func(k string) (string, bool) { return "many", k == "SEKISHO_DECISION_LOG_SIZE" })
	var ee exitError
	if !errors.As(err, &ee) || ee.code != exitBadInput || !strings.Contains(err.Error(), "SEKISHO_DECISION_LOG_SIZE") {
		t.Fatalf("err = %v, want a bad-input error naming SEKISHO_DECISION_LOG_SIZE", err)
	}
}

func TestVersionTextShowsModuleAndCommit(t *testing.T) {
	info := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/sekisho/sekisho", Version: "v1.2.3"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "0123abcd"}, {Key: "vcs.time", Value: "2026-12-05T08:00:00Z"}, {Key: "vcs.modified", Value: "true"}}}
	got := versionText("dev", info)
	for _, want := range []string{"sekisho v1.2.3\n", "module  github.com/sekisho/sekisho v1.2.3\n", "commit  0123abcd (2026-12-05T08:00:00Z) modified\n", "go      go1.26.8\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("version text lacks %q:\n%s", want, got)
		}
	}
	if got := versionText("v9", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}); !strings.HasPrefix(got, "sekisho v9\n") || !strings.Contains(got, "commit  unknown") {
		t.Errorf("-ldflags version or missing VCS information not shown:\n%s", got)
	}
}
