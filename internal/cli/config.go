package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sekisho/sekisho/internal/access"
	"github.com/sekisho/sekisho/internal/analyze"
	"github.com/sekisho/sekisho/internal/store"
)

type configFlags struct {
	state                 stateFlags
	endpoint, region, out string
}

func newConfigCommand() *cobra.Command {
	var f configFlags
	cmd := &cobra.Command{
		Use:   "config --world FILE | --demo | --data-dir DIR [--endpoint URL] [--region R] [--out FILE]",
		Short: "Write an AWS CLI config file with a profile per user with keys and per role someone can assume",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			text, err := f.build(cmd.Context(), cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			if f.out == "" {
				_, err = io.WriteString(cmd.OutOrStdout(), text)
				return err
			}
			return writePrivate(f.out, text)
		},
	}
	f.state.register(cmd)
	fl := cmd.Flags()
	fl.StringVar(&f.endpoint, "endpoint", "", "server URL for endpoint_url (default $AWS_ENDPOINT_URL or http://127.0.0.1:4566)")
	fl.StringVar(&f.region, "region", "us-east-1", "region of every profile")
	fl.StringVar(&f.out, "out", "", "write the file here (mode 0600) instead of to standard output")
	return cmd
}

// keyedUser is a user with an active access key.
type keyedUser struct {
	account, alias, name, arn string
	key                       store.AccessKey
}

func (f configFlags) build(ctx context.Context, stderr io.Writer) (string, error) {
	st, err := f.state.open(ctx)
	if err != nil {
		return "", err
	}
	defer st.Close()
	s, err := analyze.Load(ctx, st)
	if err != nil {
		return "", err
	}
	for _, w := range s.Warnings() {
		fmt.Fprintln(stderr, "warning:", w)
	}
	users, aliases, err := usersWithKeys(ctx, st)
	if err != nil {
		return "", err
	}
	endpoint := firstOf(f.endpoint, defaultEndpoint())
	c := &configFile{endpoint: endpoint, region: f.region, aliases: aliases, used: map[string]bool{}, profiles: map[string]string{}}
	c.header(findPluginDir())
	for _, u := range users {
		c.user(u)
	}
	return c.roles(s)
}

// usersWithKeys lists every user with an active access key, and each
// account's alias.
func usersWithKeys(ctx context.Context, st store.Store) ([]keyedUser, map[string]string, error) {
	var out []keyedUser
	aliases := map[string]string{}
	err := st.View(ctx, func(tx store.Tx) error {
		accounts, err := tx.ListAccounts()
		if err != nil {
			return err
		}
		for _, a := range accounts {
			aliases[a.ID] = a.Alias
			if out, err = appendKeyedUsers(tx, a, out); err != nil {
				return err
			}
		}
		return nil
	})
	return out, aliases, err
}

func appendKeyedUsers(tx store.Tx, a store.Account, out []keyedUser) ([]keyedUser, error) {
	users, err := tx.ListUsers(a.ID, "")
	if err != nil {
		return out, err
	}
	for _, u := range users {
		keys, err := tx.ListAccessKeys(a.ID, u.Name)
		if err != nil {
			return out, err
		}
		for _, k := range keys {
			if k.Active {
				out = append(out, keyedUser{account: a.ID, alias: a.Alias, name: u.Name, arn: access.UserARN(u), key: k})
				break
			}
		}
	}
	return out, nil
}

// configFile accumulates the file's text.
type configFile struct {
	b                strings.Builder
	endpoint, region string
	aliases          map[string]string // account id → alias
	used             map[string]bool   // profile names taken
	profiles         map[string]string // principal ARN → profile name
}

func (c *configFile) header(pluginDir string) {
	fmt.Fprintf(&c.b, `# AWS CLI config for the Sekisho server at %[1]s, written by "sekisho config".
#
#   export AWS_CONFIG_FILE=/path/to/this/file
#   aws --profile PROFILE sts get-caller-identity
#
# aws-cli 2.13 and later send each profile's calls to its endpoint_url. Older
# ones (Debian 12's aws-cli 2.9) ignore endpoint_url, so the STS call behind a
# role_arn profile would go to AWS: the [plugins] section loads the plugin
# contrib/awscli/sekisho_endpoint.py, which sends every client to
# $SEKISHO_ENDPOINT_URL. With such a CLI also run
#
#   export SEKISHO_ENDPOINT_URL=%[1]s
#
# The user profiles hold long-term access keys inline: keep this file private.

`, c.endpoint)
	if pluginDir == "" {
		c.b.WriteString("# The plugin was not found next to this binary; point at your checkout:\n" +
			"# [plugins]\n# cli_legacy_plugin_path = /path/to/sekisho/contrib/awscli\n# sekisho = sekisho_endpoint\n\n")
		return
	}
	fmt.Fprintf(&c.b, "[plugins]\ncli_legacy_plugin_path = %s\nsekisho = sekisho_endpoint\n\n", pluginDir)
}

func (c *configFile) user(u keyedUser) {
	name := c.profileName(u.account, u.name, "user")
	c.profiles[u.arn] = name
	fmt.Fprintf(&c.b, "# %s\n[profile %s]\naws_access_key_id = %s\naws_secret_access_key = %s\n", u.arn, name, u.key.ID, u.key.Secret)
	c.endpointLines()
}

func (c *configFile) endpointLines() {
	fmt.Fprintf(&c.b, "region = %s\nendpoint_url = %s\n\n", c.region, c.endpoint)
}

// profileName is ACCOUNT-NAME, ACCOUNT being the alias when there is one,
// with a suffix when the name is taken.
func (c *configFile) profileName(account, name, kind string) string {
	prefix := firstOf(c.aliases[account], account)
	base := sanitizeProfile(prefix + "-" + name)
	if !c.used[base] {
		c.used[base] = true
		return base
	}
	for i := 1; ; i++ {
		candidate := fmt.Sprintf("%s-%s%d", base, kind, i)
		if !c.used[candidate] {
			c.used[candidate] = true
			return candidate
		}
	}
}

// sanitizeProfile replaces what profile names should not hold.
func sanitizeProfile(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_.@+=,-", r) {
			return r
		}
		return '-'
	}, s)
}

// roles writes a profile per role that a user profile, or a role profile
// written before, may assume directly; rounds let chains of role profiles
// form. Roles nobody with keys can reach are listed as skipped.
func (c *configFile) roles(s *analyze.Snapshot) (string, error) {
	pending := map[string][]analyze.Path{}
	var order []analyze.Principal
	for _, p := range s.Principals() {
		if p.Kind != analyze.KindRole {
			continue
		}
		paths, err := s.WhoCan("sts:AssumeRole", p.ARN)
		if err != nil {
			return "", err
		}
		pending[p.ARN], order = paths, append(order, p)
	}
	for progress := true; progress; {
		progress = false
		for _, r := range order {
			if paths, ok := pending[r.ARN]; ok && c.role(r, paths) {
				delete(pending, r.ARN)
				progress = true
			}
		}
	}
	c.skipped(order, pending)
	return c.b.String(), nil
}

// role writes r's profile if a profile may assume it directly.
func (c *configFile) role(r analyze.Principal, paths []analyze.Path) bool {
	src, ok := c.source(paths)
	if !ok {
		return false
	}
	name := c.profileName(r.Account, r.Name, "role")
	c.profiles[r.ARN] = name
	note := ""
	if src.Conditional {
		note = ", on conditions"
	}
	fmt.Fprintf(&c.b, "# %s, assumed by %s%s\n[profile %s]\nrole_arn = %s\nsource_profile = %s\n",
		r.ARN, src.Principal.ARN, note, name, r.ARN, c.profiles[src.Principal.ARN])
	c.endpointLines()
	return true
}

// source picks who a role profile assumes the role as: the first user
// with a profile that may assume it directly, else the first role with a
// profile, unconditional grants first.
func (c *configFile) source(paths []analyze.Path) (analyze.Path, bool) {
	for _, conditional := range []bool{false, true} {
		for _, kind := range []analyze.Kind{analyze.KindUser, analyze.KindRole} {
			for _, p := range paths {
				_, has := c.profiles[p.Principal.ARN]
				if has && len(p.Steps) == 1 && p.Conditional == conditional && p.Principal.Kind == kind {
					return p, true
				}
			}
		}
	}
	return analyze.Path{}, false
}

func (c *configFile) skipped(order []analyze.Principal, pending map[string][]analyze.Path) {
	var lines []string
	for _, r := range order {
		if _, ok := pending[r.ARN]; ok {
			lines = append(lines, "#   "+r.ARN)
		}
	}
	if len(lines) > 0 {
		c.b.WriteString("# No profile for these roles: no user with access keys can assume them:\n" + strings.Join(lines, "\n") + "\n")
	}
}

// findPluginDir looks for contrib/awscli next to the binary's checkout or
// above the working directory, returning its absolute path or "".
func findPluginDir() string {
	var starts []string
	if exe, err := os.Executable(); err == nil {
		if resolved, err := filepath.EvalSymlinks(exe); err == nil {
			exe = resolved
		}
		starts = append(starts, filepath.Dir(exe))
	}
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	for _, dir := range starts {
		for d := dir; ; d = filepath.Dir(d) {
			plugin := filepath.Join(d, "contrib", "awscli")
			if _, err := os.Stat(filepath.Join(plugin, "sekisho_endpoint.py")); err == nil {
				return plugin
			}
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	return ""
}

// writePrivate writes text to path readable by its owner only.
func writePrivate(path, text string) error {
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		return err
	}
	return os.Chmod(path, 0o600)
}
