package cli

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/sekisho/sekisho/internal/saml"
	"github.com/sekisho/sekisho/internal/store"
	"github.com/sekisho/sekisho/internal/store/postgres"
)

// awsSAMLAttributes are the attribute names --attr accepts without AWS's
// https://aws.amazon.com/SAML/Attributes/ prefix.
var awsSAMLAttributes = []string{"RoleSessionName", "SessionDuration", "SourceIdentity", "TransitiveTagKeys", "PrincipalTag:"}

// newTokenSAMLCommand is `sekisho token saml`: a SAML response signed by
// the built-in IdP, whose key is in the server's store (read from the data
// directory or PostgreSQL, like `mfa code`), so it verifies against a
// provider created with `builtin: true` in a world file.
func newTokenSAMLCommand() *cobra.Command {
	var dataDir, storeURL, role, provider, subject, sessionName, format string
	var attrs []string
	var ttl time.Duration
	cmd := &cobra.Command{
		Use:   "saml --role ARN --provider ARN --subject S [--attr NAME=VALUE] [--ttl 5m]",
		Short: "Print a base64 SAML response signed by the built-in SAML IdP, for AssumeRoleWithSAML",
		Long: "Print a base64 SAML response signed by the built-in SAML IdP (the store's key), for\n" +
			"sts assume-role-with-saml --saml-assertion. --attr adds an attribute; RoleSessionName,\n" +
			"SessionDuration, SourceIdentity, TransitiveTagKeys and PrincipalTag:KEY get AWS's\n" +
			"https://aws.amazon.com/SAML/Attributes/ prefix. A negative --ttl issues an expired response.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			claims := saml.Claims{Subject: subject, Roles: []string{role + "," + provider}, SessionName: sessionName,
				TTL: ttl, IssuedAt: time.Now()}
			if format != "" {
				claims.SubjectFormat = "urn:oasis:names:tc:SAML:2.0:nameid-format:" + format
			}
			if claims.SessionName == "" {
				claims.SessionName = defaultSessionName(subject)
			}
			var err error
			if claims.Attributes, err = parseSAMLAttrs(attrs); err != nil {
				return exitError{exitBadInput, err}
			}
			for _, a := range claims.Attributes {
				if a.Name == saml.AttrRoleSessionName {
					claims.SessionName = "" // --attr RoleSessionName=... wins
				}
			}
			st, err := openTokenStore(cmd, dataDir, storeURL)
			if err != nil {
				return err
			}
			defer st.Close()
			var idp *saml.IdP
			err = st.Update(cmd.Context(), func(tx store.Tx) error {
				idp, err = saml.BuiltinIdP(tx, time.Now())
				return err
			})
			if err != nil {
				return err
			}
			resp, err := idp.Issue(claims)
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), resp)
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&role, "role", "", "the role ARN of the Role attribute")
	fl.StringVar(&provider, "provider", "", "the SAML provider ARN of the Role attribute")
	fl.StringVar(&subject, "subject", "", "the NameID (saml:sub)")
	fl.StringVar(&format, "subject-format", "persistent", "the NameID format: persistent, transient, emailAddress...")
	fl.StringVar(&sessionName, "session-name", "", "the RoleSessionName attribute (default: the subject, if it fits)")
	fl.StringArrayVar(&attrs, "attr", nil, "an attribute NAME=VALUE (repeatable)")
	fl.DurationVar(&ttl, "ttl", 5*time.Minute, "how long the response is valid")
	fl.StringVar(&dataDir, "data-dir", "sekisho-data", "the server's data directory")
	fl.StringVar(&storeURL, "store", "", "postgres://… of the server's store")
	for _, f := range []string{"role", "provider", "subject"} {
		_ = cmd.MarkFlagRequired(f)
	}
	return cmd
}

func openTokenStore(cmd *cobra.Command, dataDir, storeURL string) (store.Store, error) {
	switch {
	case storeURL != "" && cmd.Flags().Changed("data-dir"):
		return nil, exitError{exitBadInput, errors.New("give --data-dir or --store, not both")}
	case storeURL != "":
		return postgres.Open(cmd.Context(), storeURL)
	}
	return openDataDir(dataDir)
}

// defaultSessionName is the subject when it is a valid RoleSessionName.
func defaultSessionName(subject string) string {
	ok := len(subject) >= 2 && len(subject) <= 64
	for _, r := range subject {
		ok = ok && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_+=,.@-", r))
	}
	if ok {
		return subject
	}
	return "sekisho-saml"
}

// parseSAMLAttrs reads NAME=VALUE pairs; values of a repeated name
// become one attribute with several values.
func parseSAMLAttrs(pairs []string) ([]saml.Attribute, error) {
	var out []saml.Attribute
	index := map[string]int{}
	for _, p := range pairs {
		name, value, ok := strings.Cut(p, "=")
		if !ok || name == "" {
			return nil, fmt.Errorf("--attr %q: want NAME=VALUE", p)
		}
		for _, short := range awsSAMLAttributes {
			if name == short || (strings.HasSuffix(short, ":") && strings.HasPrefix(name, short)) {
				name = "https://aws.amazon.com/SAML/Attributes/" + name
			}
		}
		if i, seen := index[name]; seen {
			out[i].Values = append(out[i].Values, value)
			continue
		}
		index[name] = len(out)
		out = append(out, saml.Attribute{Name: name, Values: []string{value}})
	}
	return out, nil
}
