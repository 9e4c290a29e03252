// Package cli wires Sekisho's commands (cobra): it parses flags and calls
// into the packages that do the work.
package cli

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

// NewRoot returns the sekisho command tree.
func NewRoot(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:           "sekisho",
		Short:         "An offline AWS multi-account access-control emulator",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(newPolicyCommand(), newServeCommand(), newVersionCommand(), newWhoCanCommand(), newAccessReportCommand(), newAssumeCommand(), newConfigCommand())
	root.AddCommand(newExplainCommand(), newLogCommand(), newMigrateCommand(), newMFACommand())
	token := newTokenCommand()
	token.AddCommand(newTokenSAMLCommand())
	root.AddCommand(token)
	return root
}

func newVersionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Run: func(cmd *cobra.Command, _ []string) {
			fmt.Fprintln(cmd.OutOrStdout(), "sekisho", Version)
		},
	}
}

// Version is set at build time with -ldflags.
var Version = "dev"
