// Package cli wires Sekisho's commands (cobra): it parses flags and calls
// into the packages that do the work.
package cli

import (
	"io"
	"os"

	"github.com/spf13/cobra"
)

// NewRoot returns the sekisho command tree.
func NewRoot(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "sekisho",
		Short: "An offline AWS multi-account access-control emulator",
		Long: "An offline AWS multi-account access-control emulator.\n\n" +
			"Every flag can also be set by an environment variable: SEKISHO_ and the flag's name in capitals,\n" +
			"dashes as underscores (--data-dir: SEKISHO_DATA_DIR; repeatable flags take a comma-separated list).\n" +
			"A flag on the command line wins over its variable.",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return applyEnv(cmd.Flags(), os.LookupEnv)
		},
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(newPolicyCommand(), newServeCommand(), newVersionCommand(), newWhoCanCommand(), newAccessReportCommand(), newAssumeCommand(), newConfigCommand())
	root.AddCommand(newExplainCommand(), newLogCommand(), newMigrateCommand(), newMFACommand())
	root.AddCommand(newTokenCommand())
	documentEnv(root)
	return root
}
