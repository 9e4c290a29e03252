package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/sekisho/sekisho/internal/audit"
	"github.com/sekisho/sekisho/internal/cloudtrail"
	"github.com/sekisho/sekisho/internal/generate"
)

// windowFlags choose the decisions read: --since, or --from and --to.
type windowFlags struct {
	endpoint, since, from, to string
}

func (f *windowFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.endpoint, "endpoint", defaultEndpoint(), "the Sekisho server")
	fl.StringVar(&f.since, "since", "", "only decisions this recent, e.g. 1h")
	fl.StringVar(&f.from, "from", "", "only decisions at or after this time (RFC 3339)")
	fl.StringVar(&f.to, "to", "", "only decisions before this time (RFC 3339)")
}

// query checks the window and encodes it for /_sekisho/decisions?detail=true.
func (f *windowFlags) query() (url.Values, error) {
	q := url.Values{"detail": {"true"}}
	if f.since != "" && (f.from != "" || f.to != "") {
		return nil, errors.New("give --since, or --from and --to, not both")
	}
	if f.since != "" {
		if _, err := time.ParseDuration(f.since); err != nil {
			return nil, fmt.Errorf("--since: %w", err)
		}
		q.Set("since", f.since)
	}
	for name, v := range map[string]string{"from": f.from, "to": f.to} {
		if v == "" {
			continue
		}
		if _, err := time.Parse(time.RFC3339Nano, v); err != nil {
			return nil, fmt.Errorf("--%s: want an RFC 3339 time: %w", name, err)
		}
		q.Set(name, v)
	}
	return q, nil
}

// details reads the decisions of the window from the server.
func (f *windowFlags) details() ([]audit.Explanation, error) {
	q, err := f.query()
	if err != nil {
		return nil, exitError{exitBadInput, err}
	}
	var xs []audit.Explanation
	if err := fetchJSON(f.endpoint, "/_sekisho/decisions?"+q.Encode(), &xs); err != nil {
		return nil, exitError{exitDenied, err}
	}
	return xs, nil
}

func newGenerateCommand() *cobra.Command {
	var w windowFlags
	var opts generate.Options
	var groupBy, out string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "generate --principal ARN [--since 1h | --from T --to T] [--session-name S] [--group-by resource|action] [--json]",
		Short: "Generate the least-privilege identity policy for what a principal did (needs serve --record all)",
		Long: "Reads the server's decision log and writes an identity policy allowing exactly the actions the principal\n" +
			"used on the resources it used them on (object keys collapse to prefix/* past --collapse-above keys under one\n" +
			"prefix; list actions keep their s3:prefix condition). The policy goes to stdout (or --out), the summary and\n" +
			"the requests that were denied to stderr; --json prints everything as one JSON document.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.GroupBy = generate.GroupBy(groupBy)
			xs, err := w.details()
			if err != nil {
				return err
			}
			res, err := generate.Generate(generate.FromExplanations(xs), opts)
			if err != nil {
				return exitError{exitBadInput, err}
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(res)
			}
			doc, err := res.PolicyJSON()
			if err != nil {
				return err
			}
			if out != "" {
				if err := os.WriteFile(out, doc, 0o644); err != nil {
					return fmt.Errorf("write the policy: %w", err)
				}
			} else {
				cmd.OutOrStdout().Write(doc)
			}
			res.WriteSummary(cmd.ErrOrStderr())
			if res.Events == 0 {
				return exitError{exitDenied, fmt.Errorf("no decisions of %s in the window", res.For)}
			}
			return nil
		},
	}
	w.register(cmd)
	fl := cmd.Flags()
	fl.StringVar(&opts.Principal, "principal", "", "role, user, role-session or federated-user ARN")
	fl.StringVar(&opts.SessionName, "session-name", "", "for a role: only this session's requests")
	fl.StringVar(&groupBy, "group-by", "resource", "statements per resource (with its actions) or per action (with its resources)")
	fl.IntVar(&opts.CollapseAbove, "collapse-above", generate.DefaultCollapseAbove, "more keys than this under one prefix become prefix/*")
	fl.StringVar(&out, "out", "", "write the policy to this file instead of stdout")
	fl.BoolVar(&asJSON, "json", false, "print the policy, summary data and denials as one JSON document")
	_ = cmd.MarkFlagRequired("principal")
	return cmd
}

// writeCloudTrail writes the decisions of the window as a CloudTrail log
// file's document ({"Records": [...]}).
func writeCloudTrail(out io.Writer, w *windowFlags, deniedOnly bool) error {
	xs, err := w.details()
	if err != nil {
		return err
	}
	if deniedOnly {
		kept := xs[:0]
		for _, x := range xs {
			if x.Decision != "allowed" {
				kept = append(kept, x)
			}
		}
		xs = kept
	}
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(cloudtrail.FromExplanations(xs))
}
