package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sekisho/sekisho/internal/analyze"
)

func newAccessReportCommand() *cobra.Command {
	var state stateFlags
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "access-report [--world FILE | --data-dir DIR | --demo] [--json]",
		Short: "List the trust and bucket policies that grant access to another account or to everyone",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := state.snapshot(cmd.Context(), cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			return printFindings(cmd.OutOrStdout(), s.AccessReport(), asJSON)
		},
	}
	state.register(cmd)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the findings as JSON")
	return cmd
}

func printFindings(w io.Writer, findings []analyze.Finding, asJSON bool) error {
	if asJSON {
		if findings == nil {
			findings = []analyze.Finding{}
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Findings []analyze.Finding `json:"findings"`
		}{findings})
	}
	if len(findings) == 0 {
		fmt.Fprintln(w, "no trust or bucket policy grants access outside its account")
		return nil
	}
	for i, f := range findings {
		if i > 0 {
			fmt.Fprintln(w)
		}
		printFinding(w, f)
	}
	return nil
}

func printFinding(w io.Writer, f analyze.Finding) {
	fmt.Fprintf(w, "%s %s (account %s)\n", f.ResourceType, f.Resource, f.Account)
	to := strings.Join(f.Principals, ", ")
	if len(f.Except) > 0 {
		to += " except " + strings.Join(f.Except, ", ")
	}
	fmt.Fprintf(w, "  external:   %s\n", to)
	actions := strings.Join(f.Actions, ", ")
	if f.NotAction {
		actions = "every action but " + actions
	}
	fmt.Fprintf(w, "  actions:    %s\n", actions)
	for _, c := range f.Conditions {
		fmt.Fprintf(w, "  condition:  %s\n", c)
	}
	for _, who := range f.Federated {
		fmt.Fprintf(w, "  federated:  %s\n", who)
	}
	statement := fmt.Sprintf("%s, statement %d", f.Policy, f.Statement)
	if f.Sid != "" {
		statement += fmt.Sprintf(" (Sid %q)", f.Sid)
	}
	fmt.Fprintf(w, "  statement:  %s\n", statement)
	if f.Public {
		fmt.Fprintf(w, "  public:     %s\n", f.PublicAccess)
	}
	if len(f.OutsideOrganization) > 0 {
		fmt.Fprintf(w, "  outside the organization: %s\n", strings.Join(f.OutsideOrganization, ", "))
	}
	if f.BlockedByRCP != "" {
		fmt.Fprintf(w, "  refused by RCP: %s\n", f.BlockedByRCP)
	}
}
