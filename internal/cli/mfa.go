package cli

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/sekisho/sekisho/internal/mfa"
	"github.com/sekisho/sekisho/internal/store"
	"github.com/sekisho/sekisho/internal/store/postgres"
)

// newMFACommand is `sekisho mfa code SERIAL`: the current code of a
// virtual MFA device, as an authenticator app holding its seed would show
// it, read from the server's store.
func newMFACommand() *cobra.Command {
	cmd := &cobra.Command{Use: "mfa", Short: "Virtual MFA devices"}
	var dataDir, storeURL string
	code := &cobra.Command{
		Use:   "code SERIAL",
		Short: "Print the current one-time code of a virtual MFA device (for tests)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var st store.Store
			var err error
			switch {
			case storeURL != "" && cmd.Flags().Changed("data-dir"):
				return exitError{exitBadInput, errors.New("give --data-dir or --store, not both")}
			case storeURL != "":
				st, err = postgres.Open(cmd.Context(), storeURL)
			default:
				st, err = openDataDir(dataDir)
			}
			if err != nil {
				return err
			}
			defer st.Close()
			c, err := mfa.CurrentCode(cmd.Context(), st, args[0], time.Now())
			if err != nil {
				return exitError{exitBadInput, err}
			}
			fmt.Fprintln(cmd.OutOrStdout(), c)
			return nil
		},
	}
	code.Flags().StringVar(&dataDir, "data-dir", "sekisho-data", "the server's data directory")
	code.Flags().StringVar(&storeURL, "store", "", "postgres://… of the server's store")
	cmd.AddCommand(code)
	return cmd
}
