package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sekisho/sekisho/internal/authz"
	"github.com/sekisho/sekisho/internal/policy"
	"github.com/sekisho/sekisho/internal/simulate"
)

// Exit codes of `policy eval` and `policy validate`.
const (
	exitAllowed  = 0
	exitDenied   = 1
	exitBadInput = 2
)

func newPolicyCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "policy", Short: "Validate policies and simulate decisions offline"}
	cmd.AddCommand(newValidateCommand(), newEvalCommand(), newGenerateCommand(), newDiffCommand())
	return cmd
}

func newValidateCommand() *cobra.Command {
	var typeName string
	cmd := &cobra.Command{
		Use:   "validate --type identity|resource|trust|session|scp FILE",
		Short: "Check a policy document as AWS would for its type",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			t, err := policy.ParseType(typeName)
			if err != nil {
				return exitError{exitBadInput, err}
			}
			doc, err := readFile(args[0])
			if err != nil {
				return exitError{exitBadInput, err}
			}
			if _, err := policy.Parse(doc, t); err != nil {
				return exitError{exitDenied, fmt.Errorf("%s: %w", args[0], err)}
			}
			fmt.Fprintln(cmd.OutOrStdout(), "OK")
			return nil
		},
	}
	cmd.Flags().StringVar(&typeName, "type", "identity", "policy type: identity, resource, trust, session or scp")
	return cmd
}

type evalFlags struct {
	identity, scps, rcps, session, context []string
	resourcePolicy, boundary               string
	principal, action, resource, account   string
	asJSON                                 bool
}

func newEvalCommand() *cobra.Command {
	var f evalFlags
	cmd := &cobra.Command{
		Use:   "eval --principal ARN --action ACTION --resource ARN [policies]",
		Short: "Decide one request as AWS would and say which statements decided it",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			in, err := f.input()
			if err != nil {
				return exitError{exitBadInput, err}
			}
			req, err := simulate.Build(in)
			if err != nil {
				return exitError{exitBadInput, err}
			}
			d := authz.Evaluate(req)
			if err := printDecision(cmd.OutOrStdout(), &d, f.asJSON); err != nil {
				return err
			}
			if d.Effect != authz.Allowed {
				return exitError{code: exitDenied}
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVar(&f.identity, "identity", nil, "identity policy FILE (repeatable)")
	fl.StringVar(&f.resourcePolicy, "resource-policy", "", "resource policy FILE (a trust policy when the action is sts:AssumeRole* on a role)")
	fl.StringVar(&f.boundary, "boundary", "", "permissions boundary FILE")
	fl.StringArrayVar(&f.session, "session-policy", nil, "session policy FILE (repeatable)")
	fl.StringArrayVar(&f.scps, "scp", nil, "service control policy FILE attached to the principal's account (repeatable)")
	fl.StringArrayVar(&f.rcps, "rcp", nil, "resource control policy FILE attached to the resource's account (repeatable)")
	fl.StringVar(&f.principal, "principal", "", "user, role, assumed-role session or root ARN")
	fl.StringVar(&f.action, "action", "", "action, e.g. s3:GetObject")
	fl.StringVar(&f.resource, "resource", "", "resource ARN, or *")
	fl.StringVar(&f.account, "resource-account", "", "account owning the resource (default: the resource ARN's, else the principal's)")
	fl.StringArrayVar(&f.context, "context", nil, "condition key KEY=VALUE (repeatable; repeat a key for several values)")
	fl.BoolVar(&f.asJSON, "json", false, "print the decision as JSON")
	_ = cmd.MarkFlagRequired("principal")
	_ = cmd.MarkFlagRequired("action")
	_ = cmd.MarkFlagRequired("resource")
	return cmd
}

func (f *evalFlags) input() (simulate.Input, error) {
	in := simulate.Input{Principal: f.principal, Action: f.action, Resource: f.resource, ResourceAccount: f.account}
	var err error
	for _, kv := range f.context {
		pair, err := simulate.ParseKeyValue(kv)
		if err != nil {
			return in, err
		}
		in.Context = append(in.Context, pair)
	}
	if in.Identity, err = readDocs(f.identity); err != nil {
		return in, err
	}
	if in.Session, err = readDocs(f.session); err != nil {
		return in, err
	}
	if f.scps != nil {
		if in.SCPs, err = readDocs(f.scps); err != nil {
			return in, err
		}
	}
	if f.rcps != nil {
		if in.RCPs, err = readDocs(f.rcps); err != nil {
			return in, err
		}
	}
	if in.ResourcePolicy, err = readDoc(f.resourcePolicy); err != nil {
		return in, err
	}
	in.Boundary, err = readDoc(f.boundary)
	return in, err
}

func readDocs(paths []string) ([]simulate.Doc, error) {
	out := make([]simulate.Doc, 0, len(paths))
	for _, p := range paths {
		d, err := readDoc(p)
		if err != nil {
			return nil, err
		}
		out = append(out, *d)
	}
	return out, nil
}

func readDoc(path string) (*simulate.Doc, error) {
	if path == "" {
		return nil, nil
	}
	text, err := readFile(path)
	if err != nil {
		return nil, err
	}
	return &simulate.Doc{Name: path, Text: text}, nil
}

// maxPolicyFile bounds what we read: far above any AWS policy limit, so
// the size error comes from validation, not from here.
const maxPolicyFile = 4 << 20

func readFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxPolicyFile+1))
	if err != nil {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	if len(b) > maxPolicyFile {
		return "", fmt.Errorf("%s is larger than %d bytes", path, maxPolicyFile)
	}
	return string(b), nil
}

// decisionJSON is the --json shape of a decision.
type decisionJSON struct {
	Decision     string          `json:"decision"`
	Reason       string          `json:"reason"`
	CrossAccount bool            `json:"cross_account"`
	Statements   []statementJSON `json:"statements"`
	Missing      []string        `json:"missing,omitempty"`
	Message      string          `json:"message,omitempty"`
}

type statementJSON struct {
	PolicyType     string `json:"policy_type"`
	Policy         string `json:"policy"`
	Index          int    `json:"index"`
	Sid            string `json:"sid,omitempty"`
	Effect         string `json:"effect"`
	PrincipalMatch string `json:"principal_match,omitempty"`
}

func toJSON(d *authz.Decision) decisionJSON {
	out := decisionJSON{Decision: d.Effect.String(), Reason: d.Reason, CrossAccount: d.CrossAccount,
		Message: d.Message(), Statements: []statementJSON{}}
	for _, s := range d.Statements() {
		sj := statementJSON{PolicyType: s.Type.Key(), Policy: s.Name(), Index: s.Index, Sid: s.Sid(), Effect: s.Effect().String()}
		if s.PrincipalMatch != policy.MatchNone {
			sj.PrincipalMatch = s.PrincipalMatch.String()
		}
		out.Statements = append(out.Statements, sj)
	}
	for _, m := range d.Missing() {
		out.Missing = append(out.Missing, m.String())
	}
	return out
}

func printDecision(w io.Writer, d *authz.Decision, asJSON bool) error {
	out := toJSON(d)
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	fmt.Fprintf(w, "decision: %s\n", out.Decision)
	for _, s := range out.Statements {
		sid := ""
		if s.Sid != "" {
			sid = fmt.Sprintf(" (Sid %q)", s.Sid)
		}
		fmt.Fprintf(w, "  %s: %s policy %s, statement %d%s\n", s.Effect, s.PolicyType, s.Policy, s.Index, sid)
	}
	if len(out.Missing) > 0 {
		fmt.Fprintf(w, "missing an Allow in: %s\n", strings.Join(out.Missing, ", "))
	}
	if out.Message != "" {
		fmt.Fprintf(w, "message: %s\n", out.Message)
	}
	return nil
}

// exitError carries a process exit code through cobra.
type exitError struct {
	code int
	err  error
}

func (e exitError) Error() string {
	if e.err == nil {
		return ""
	}
	return e.err.Error()
}

// ExitCode maps an error returned by Execute to the process exit code.
func ExitCode(err error) int {
	var e exitError
	if errors.As(err, &e) {
		return e.code
	}
	return exitBadInput
}
