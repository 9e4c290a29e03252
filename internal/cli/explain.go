package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/sekisho/sekisho/internal/audit"
)

func defaultEndpoint() string {
	if v := os.Getenv("AWS_ENDPOINT_URL"); v != "" {
		return v
	}
	return "http://127.0.0.1:4566"
}

// fetchJSON GETs a decision-log document from the server.
func fetchJSON(endpoint, path string, out any) error {
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Get(strings.TrimRight(endpoint, "/") + path)
	if err != nil {
		return fmt.Errorf("reach sekisho at %s: %w", endpoint, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", resp.Status, strings.TrimSpace(string(body)))
	}
	return json.Unmarshal(body, out)
}

func newExplainCommand() *cobra.Command {
	var endpoint string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "explain REQUEST_ID",
		Short: "Explain the decisions made for a request (the x-amzn-RequestId / x-amz-request-id the client saw)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var xs []audit.Explanation
			if err := fetchJSON(endpoint, "/_sekisho/decisions/"+url.PathEscape(args[0]), &xs); err != nil {
				return exitError{exitDenied, err}
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(xs)
			}
			for i := range xs {
				printExplanation(cmd.OutOrStdout(), &xs[i])
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&endpoint, "endpoint", defaultEndpoint(), "the Sekisho server")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// printExplanation renders one decision for a person.
func printExplanation(w io.Writer, x *audit.Explanation) {
	fmt.Fprintf(w, "Request %s at %s\n", x.RequestID, x.Time.Format(time.RFC3339))
	fmt.Fprintf(w, "  who:      %s (%s, account %s)\n", x.Principal, x.PrincipalType, x.PrincipalAcct)
	fmt.Fprintf(w, "  asked:    %s on %s (account %s)\n", x.Action, x.Resource, x.ResourceAccount)
	fmt.Fprintf(w, "  decision: %s\n", x.Decision)
	if x.Message != "" {
		fmt.Fprintf(w, "  message:  %s\n", x.Message)
	}
	fmt.Fprintln(w, "  policies consulted, in evaluation order:")
	if len(x.Policies) == 0 {
		fmt.Fprintln(w, "    (none)")
	}
	for _, p := range x.Policies {
		fmt.Fprintf(w, "    %s %q%s\n", p.Type, p.Name, versionSuffix(p))
		for _, s := range p.Statements {
			fmt.Fprintf(w, "      statement %d%s %s: %s\n", s.Index, sidSuffix(s.Sid), s.Effect, statementOutcome(s.Matched, s.Reason, s.FailedCondition, s.PrincipalMatch))
		}
	}
	for _, d := range x.Deciding {
		fmt.Fprintf(w, "  decided by: %s\n", d)
	}
	if x.CrossAccountRule != "" {
		fmt.Fprintf(w, "  %s\n", x.CrossAccountRule)
	}
	fmt.Fprintf(w, "  advice: %s\n\n", x.Advice)
}

func versionSuffix(p audit.PolicyTrace) string {
	switch {
	case p.ARN != "" && p.VersionID != "":
		return " (" + p.ARN + ", " + p.VersionID + ")"
	case p.ARN != "":
		return " (" + p.ARN + ")"
	}
	return ""
}

func sidSuffix(sid string) string {
	if sid == "" {
		return ""
	}
	return fmt.Sprintf(" (Sid %q)", sid)
}

func statementOutcome(matched bool, reason, condition, principalMatch string) string {
	if matched {
		if principalMatch != "" {
			return "applies (principal matched as " + principalMatch + ")"
		}
		return "applies"
	}
	switch reason {
	case "condition":
		return "does not apply: condition " + condition + " does not hold"
	case "principal":
		return "does not apply: its Principal does not name the caller"
	}
	return "does not apply: the " + reason + " does not match"
}

func newLogCommand() *cobra.Command {
	var endpoint, since, format, from, to string
	var denied, asJSON bool
	var limit int
	cmd := &cobra.Command{
		Use:   "log [--format text|json|cloudtrail]",
		Short: "List recent authorization decisions",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			switch format {
			case "cloudtrail":
				w := windowFlags{endpoint: endpoint, since: since, from: from, to: to}
				return writeCloudTrail(cmd.OutOrStdout(), &w, denied)
			case "json":
				asJSON = true
			case "text":
			default:
				return exitError{exitBadInput, fmt.Errorf("--format %q: want text, json or cloudtrail", format)}
			}
			q := url.Values{}
			if denied {
				q.Set("denied", "true")
			}
			if since != "" {
				q.Set("since", since)
			}
			q.Set("limit", fmt.Sprint(limit))
			var list []audit.Summary
			if err := fetchJSON(endpoint, "/_sekisho/decisions?"+q.Encode(), &list); err != nil {
				return exitError{exitDenied, err}
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(list)
			}
			for _, s := range list {
				fmt.Fprintf(cmd.OutOrStdout(), "%s  %s  %-17s  %s  %s  %s\n", s.Time.Format(time.RFC3339), s.RequestID, s.Decision, s.Principal, s.Action, s.Resource)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&endpoint, "endpoint", defaultEndpoint(), "the Sekisho server")
	cmd.Flags().BoolVar(&denied, "denied", false, "only denials")
	cmd.Flags().StringVar(&since, "since", "", "only decisions this recent, e.g. 5m")
	cmd.Flags().IntVar(&limit, "limit", 100, "at most this many (text and json)")
	cmd.Flags().StringVar(&format, "format", "text", "text, json, or cloudtrail (CloudTrail Records, eventVersion 1.09, oldest first)")
	cmd.Flags().StringVar(&from, "from", "", "cloudtrail: only decisions at or after this time (RFC 3339)")
	cmd.Flags().StringVar(&to, "to", "", "cloudtrail: only decisions before this time (RFC 3339)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}
