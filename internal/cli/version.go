package cli

import (
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

// Version is set at build time with -ldflags; without it, the module
// version Go stamped into the binary is shown.
var Version = "dev"

func newVersionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, the module version and the VCS commit it was built from",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			info, _ := debug.ReadBuildInfo()
			fmt.Fprint(cmd.OutOrStdout(), versionText(Version, info))
		},
	}
}

// versionText describes the build: the version, the module and its
// version, the commit with its time (and "modified" when the tree had
// uncommitted changes), and the Go version. Builds without VCS stamping
// (go run, go test, -buildvcs=false) say so instead of a commit.
func versionText(version string, info *debug.BuildInfo) string {
	if info == nil {
		return "sekisho " + version + "\n(no build information)\n"
	}
	if version == "dev" && info.Main.Version != "" && info.Main.Version != "(devel)" {
		version = info.Main.Version
	}
	var b strings.Builder
	fmt.Fprintf(&b, "sekisho %s\n", version)
	fmt.Fprintf(&b, "module  %s %s\n", info.Main.Path, orText(info.Main.Version, "(devel)"))
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	if rev := settings["vcs.revision"]; rev != "" {
		commit := rev
		if t := settings["vcs.time"]; t != "" {
			commit += " (" + t + ")"
		}
		if settings["vcs.modified"] == "true" {
			commit += " modified"
		}
		fmt.Fprintf(&b, "commit  %s\n", commit)
	} else {
		fmt.Fprintf(&b, "commit  unknown (built without VCS information)\n")
	}
	fmt.Fprintf(&b, "go      %s\n", info.GoVersion)
	return b.String()
}

func orText(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
