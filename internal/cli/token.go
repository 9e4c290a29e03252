package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/sekisho/sekisho/internal/oidc"
	"github.com/sekisho/sekisho/internal/server"
)

// newTokenCommand is the parent of the built-in identity providers'
// commands (`token oidc`, `token saml`): each prints a credential signed
// by a key of the world's provider, for trying trust policies offline.
func newTokenCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "token",
		Short: "Issue identity-provider tokens (OIDC, SAML) signed by the world's built-in providers",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newTokenOIDCCommand())
	return cmd
}

// newTokenOIDCCommand asks the running server for a token: the signing
// keys never leave the server's store, and an in-memory server's keys
// are reachable too. The server answers loopback callers only.
func newTokenOIDCCommand() *cobra.Command {
	var endpoint string
	var claims []string
	req := oidc.TokenRequest{}
	cmd := &cobra.Command{
		Use:   "oidc --issuer github|eks --sub SUBJECT [--aud sts.amazonaws.com] [--claim k=v] [--ttl 10m]",
		Short: "Print a JWT signed by a built-in OIDC issuer (github: GitHub Actions, eks: an EKS cluster)",
		Long: "Print a JWT signed by a built-in OIDC issuer, for AWS_WEB_IDENTITY_TOKEN_FILE or\n" +
			"AssumeRoleWithWebIdentity. The issuers are github (https://token.actions.githubusercontent.com,\n" +
			"with GitHub's repository/ref claims derived from a repo:OWNER/REPO:ref:... subject) and eks\n" +
			"(" + oidc.EKSURL + ", with the kubernetes.io claim derived\n" +
			"from a system:serviceaccount:NAMESPACE:NAME subject). A --claim value that is JSON is decoded.\n" +
			"A negative --ttl issues an already expired token.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			req.Claims = map[string]string{}
			for _, c := range claims {
				k, v, ok := strings.Cut(c, "=")
				if !ok || k == "" {
					return exitError{exitBadInput, fmt.Errorf("--claim %q: want NAME=VALUE", c)}
				}
				req.Claims[k] = v
			}
			token, err := requestToken(endpoint, req)
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), token)
			return nil
		},
	}
	cmd.Flags().StringVar(&endpoint, "endpoint", defaultEndpoint(), "the Sekisho server")
	cmd.Flags().StringVar(&req.Issuer, "issuer", "", "the built-in issuer: github or eks (or its URL)")
	cmd.Flags().StringVar(&req.Subject, "sub", "", "the token's subject, e.g. repo:org/repo:ref:refs/heads/main")
	cmd.Flags().StringArrayVar(&req.Audience, "aud", nil, "the audience (repeat for several; default sts.amazonaws.com)")
	cmd.Flags().StringArrayVar(&claims, "claim", nil, "an extra claim NAME=VALUE (repeatable)")
	cmd.Flags().DurationVar(&req.TTL, "ttl", oidc.DefaultTTL, "how long the token is valid")
	_ = cmd.MarkFlagRequired("issuer")
	_ = cmd.MarkFlagRequired("sub")
	return cmd
}

func requestToken(endpoint string, req oidc.TokenRequest) (string, error) {
	body, err := json.Marshal(req)
	if err != nil {
		return "", err
	}
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Post(strings.TrimRight(endpoint, "/")+server.TokenPath, "application/json", bytes.NewReader(body))
	if err != nil {
		return "", fmt.Errorf("reach sekisho at %s: %w", endpoint, err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("%s: %s", resp.Status, strings.TrimSpace(string(out)))
	}
	return strings.TrimSpace(string(out)), nil
}
