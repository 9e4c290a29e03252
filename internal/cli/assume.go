package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/sekisho/sekisho/internal/creds"
	"github.com/sekisho/sekisho/internal/stsclient"
)

type assumeFlags struct {
	as, externalID, sessionName, endpoint, region string
	duration                                      int
	asJSON                                        bool
}

func newAssumeCommand() *cobra.Command {
	var f assumeFlags
	cmd := &cobra.Command{
		Use:   "assume --as PROFILE|AKID:SECRET ROLE_ARN",
		Short: "Assume a role on the running server and print the session's keys as shell exports",
		Long: "Calls STS AssumeRole on the running server as the given profile (from the shared credentials\n" +
			"or config file) or access key, and prints export lines for AWS_ACCESS_KEY_ID,\n" +
			"AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, or with --json what `aws sts assume-role` prints:\n\n" +
			"  eval \"$(sekisho assume --as alice arn:aws:iam::111111111111:role/assume_s3_role)\"",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return assume(cmd, f, args[0])
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.as, "as", "", "profile name, or AKID:SECRET (AKID:SECRET:TOKEN for temporary keys)")
	fl.IntVar(&f.duration, "duration", 0, "session duration in seconds (default: the server's, one hour)")
	fl.StringVar(&f.externalID, "external-id", "", "external id the role's trust policy may require")
	fl.StringVar(&f.sessionName, "session-name", "", "role session name (default sekisho-UNIXTIME)")
	fl.StringVar(&f.endpoint, "endpoint", "", "server URL (default $AWS_ENDPOINT_URL, the profile's endpoint_url, or http://127.0.0.1:4566)")
	fl.StringVar(&f.region, "region", "", "signing region (default $AWS_REGION, $AWS_DEFAULT_REGION, the profile's, or us-east-1)")
	fl.BoolVar(&f.asJSON, "json", false, "print the result as the aws CLI's sts assume-role does")
	_ = cmd.MarkFlagRequired("as")
	return cmd
}

func assume(cmd *cobra.Command, f assumeFlags, roleARN string) error {
	if f.duration < 0 {
		return exitError{exitBadInput, errors.New("--duration must be a number of seconds")}
	}
	client, err := f.client()
	if err != nil {
		return exitError{exitBadInput, err}
	}
	name := f.sessionName
	if name == "" {
		name = "sekisho-" + strconv.FormatInt(time.Now().Unix(), 10)
	}
	out, err := client.AssumeRole(cmd.Context(), stsclient.AssumeRoleInput{
		RoleARN: roleARN, RoleSessionName: name, DurationSeconds: f.duration, ExternalID: f.externalID,
	})
	if e, ok := stsclient.AsError(err); ok {
		return exitError{exitDenied, fmt.Errorf("%s: %s", e.Code, e.Message)}
	}
	if err != nil {
		return exitError{exitDenied, err}
	}
	if f.asJSON {
		return printAssumeJSON(cmd.OutOrStdout(), out)
	}
	printExports(cmd.OutOrStdout(), out.Credentials)
	return nil
}

// client builds the STS client from --as and the endpoint and region flags.
func (f assumeFlags) client() (*stsclient.Client, error) {
	c := &stsclient.Client{}
	var profile stsclient.Profile
	if key, ok := parseKeyPair(f.as); ok {
		c.Credentials = key
	} else {
		p, err := stsclient.LoadProfile(f.as)
		if err != nil {
			return nil, fmt.Errorf("--as: %w", err)
		}
		profile, c.Credentials = p, p.Credentials
	}
	c.Endpoint = firstOf(f.endpoint, os.Getenv("AWS_ENDPOINT_URL"), profile.EndpointURL, defaultEndpoint())
	c.Region = firstOf(f.region, os.Getenv("AWS_REGION"), os.Getenv("AWS_DEFAULT_REGION"), profile.Region, "us-east-1")
	return c, nil
}

// parseKeyPair reads AKID:SECRET or AKID:SECRET:TOKEN.
func parseKeyPair(s string) (stsclient.Credentials, bool) {
	parts := strings.SplitN(s, ":", 3)
	if len(parts) < 2 || parts[1] == "" {
		return stsclient.Credentials{}, false
	}
	if _, ok := creds.IsAccessKeyID(parts[0]); !ok {
		return stsclient.Credentials{}, false
	}
	c := stsclient.Credentials{AccessKeyID: parts[0], SecretAccessKey: parts[1]}
	if len(parts) == 3 {
		c.SessionToken = parts[2]
	}
	return c, true
}

func firstOf(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// printExports prints the session's keys as shell export lines.
func printExports(w io.Writer, c stsclient.TemporaryCredentials) {
	fmt.Fprintf(w, "export AWS_ACCESS_KEY_ID=%s\n", shellQuote(c.AccessKeyID))
	fmt.Fprintf(w, "export AWS_SECRET_ACCESS_KEY=%s\n", shellQuote(c.SecretAccessKey))
	fmt.Fprintf(w, "export AWS_SESSION_TOKEN=%s\n", shellQuote(c.SessionToken))
}

// shellQuote leaves words of safe characters alone and single-quotes the rest.
func shellQuote(s string) string {
	safe := s != ""
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("+-./:=@_,%", r)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// assumeRoleJSON is what `aws sts assume-role` prints.
type assumeRoleJSON struct {
	Credentials struct {
		AccessKeyID     string `json:"AccessKeyId"`
		SecretAccessKey string `json:"SecretAccessKey"`
		SessionToken    string `json:"SessionToken"`
		Expiration      string `json:"Expiration"`
	} `json:"Credentials"`
	AssumedRoleUser struct {
		AssumedRoleID string `json:"AssumedRoleId"`
		Arn           string `json:"Arn"`
	} `json:"AssumedRoleUser"`
	PackedPolicySize *int   `json:"PackedPolicySize,omitempty"`
	SourceIdentity   string `json:"SourceIdentity,omitempty"`
}

func printAssumeJSON(w io.Writer, out *stsclient.AssumeRoleOutput) error {
	var j assumeRoleJSON
	c := out.Credentials
	j.Credentials.AccessKeyID, j.Credentials.SecretAccessKey, j.Credentials.SessionToken = c.AccessKeyID, c.SecretAccessKey, c.SessionToken
	j.Credentials.Expiration = c.Expiration.UTC().Format("2006-01-02T15:04:05+00:00")
	j.AssumedRoleUser.AssumedRoleID, j.AssumedRoleUser.Arn = out.AssumedRoleUser.AssumedRoleID, out.AssumedRoleUser.ARN
	j.PackedPolicySize, j.SourceIdentity = out.PackedPolicySize, out.SourceIdentity
	enc := json.NewEncoder(w)
	enc.SetIndent("", "    ")
	return enc.Encode(j)
}
