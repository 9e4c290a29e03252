package cli

import "github.com/spf13/cobra"

// newTokenCommand is the parent of the built-in identity providers'
// commands (`token oidc`, `token saml`): each prints a credential signed
// by a key of the world's provider, for trying trust policies offline.
func newTokenCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "token",
		Short: "Issue identity-provider tokens (OIDC, SAML) signed by the world's built-in providers",
		Args:  cobra.NoArgs,
	}
}
