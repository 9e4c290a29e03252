package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sekisho/sekisho/internal/analyze"
	"github.com/sekisho/sekisho/internal/authz"
	"github.com/sekisho/sekisho/internal/generate"
	"github.com/sekisho/sekisho/internal/iam"
	"github.com/sekisho/sekisho/internal/s3"
	"github.com/sekisho/sekisho/internal/store"
	"github.com/sekisho/sekisho/internal/store/sqlite"
	"github.com/sekisho/sekisho/internal/sts"
	"github.com/sekisho/sekisho/internal/world"
)

func newDiffCommand() *cobra.Command {
	var state stateFlags
	var w windowFlags
	var principal, orgWorld string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "diff --principal ARN (--data-dir DIR | --world FILE | --demo) [--since 1h | --from T --to T] [--json]",
		Short: "Compare a principal's effective permissions (IAM, STS, S3) with what it used: unused access and last use",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if ctx == nil {
				ctx = context.Background()
			}
			in, err := diffInput(ctx, &state, principal, orgWorld)
			if err != nil {
				return err
			}
			xs, err := w.details()
			if err != nil {
				return err
			}
			in.Events = generate.FromExplanations(xs)
			res, err := generate.Diff(in)
			if err != nil {
				return exitError{exitBadInput, err}
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(res)
			}
			res.WriteSummary(cmd.OutOrStdout())
			return nil
		},
	}
	state.register(cmd)
	w.register(cmd)
	fl := cmd.Flags()
	fl.StringVar(&principal, "principal", "", "role or user ARN (a role session's ARN stands for its role)")
	fl.StringVar(&orgWorld, "organization", "", "world file whose organization's SCPs apply (default: the --world file's)")
	fl.BoolVar(&asJSON, "json", false, "print JSON")
	_ = cmd.MarkFlagRequired("principal")
	return cmd
}

// diffInput gathers the principal's policies, SCPs and credentials from
// the state.
func diffInput(ctx context.Context, state *stateFlags, principal, orgWorld string) (generate.DiffInput, error) {
	in := generate.DiffInput{Principal: principal, Actions: serviceActions()}
	st, err := state.open(ctx)
	if err != nil {
		return in, err
	}
	defer st.Close()
	snap, err := analyze.Load(ctx, st)
	if err != nil {
		return in, err
	}
	identity, err := identityARN(snap, principal)
	if err != nil {
		return in, exitError{exitBadInput, err}
	}
	if in.Request, err = snap.Request(identity); err != nil {
		return in, exitError{exitBadInput, err}
	}
	in.Principal = identity
	if orgWorld == state.worldFile {
		orgWorld = "" // its organization is in the store already
	}
	if in.SCPs, err = scpsOf(ctx, snap, orgWorld, in.Request.Principal.Account); err != nil {
		return in, exitError{exitBadInput, err}
	}
	in.Credentials, err = credentialsOf(ctx, st, snap, identity)
	return in, err
}

// serviceActions lists every action IAM, STS and S3 implement, from their
// operation tables.
func serviceActions() []string {
	return slices.Concat(iam.Actions(), sts.Actions(), s3.Actions())
}

// identityARN is the user or role behind principal as the state names it
// (a role session's ARN lacks the role's path).
func identityARN(snap *analyze.Snapshot, principal string) (string, error) {
	account, role, isSession := strings.Cut(strings.TrimPrefix(principal, "arn:aws:sts::"), ":assumed-role/")
	if !isSession {
		return principal, nil
	}
	role, _, _ = strings.Cut(role, "/")
	for _, p := range snap.Principals() {
		if p.Kind == analyze.KindRole && p.Account == account && strings.EqualFold(p.Name, role) {
			return p.ARN, nil
		}
	}
	return "", fmt.Errorf("no role %s in account %s", role, account)
}

// scpsOf returns the SCPs that apply to account: from the store's
// organization, or from the organization of another world file, seeded
// into a scratch in-memory store.
func scpsOf(ctx context.Context, snap *analyze.Snapshot, worldFile, account string) ([]authz.Source, error) {
	if worldFile == "" {
		return snap.SCPs(account), nil
	}
	w, err := world.ReadFile(worldFile)
	if err != nil {
		return nil, err
	}
	scratch, err := sqlite.OpenMemory()
	if err != nil {
		return nil, err
	}
	defer scratch.Close()
	if err := world.Load(ctx, scratch, w); err != nil {
		return nil, err
	}
	if err := world.LoadOrganization(ctx, scratch, []*world.World{w}, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		return nil, err
	}
	other, err := analyze.Load(ctx, scratch)
	if err != nil {
		return nil, err
	}
	return other.SCPs(account), nil
}

// credentialsOf lists a user's access keys and password with their
// stored last use, or a role's stored last use.
func credentialsOf(ctx context.Context, st store.Store, snap *analyze.Snapshot, identity string) ([]generate.Credential, error) {
	var target analyze.Principal
	for _, p := range snap.Principals() {
		if p.ARN == identity {
			target = p
		}
	}
	var out []generate.Credential
	err := st.View(ctx, func(tx store.Tx) error {
		switch target.Kind {
		case analyze.KindRole:
			r, err := tx.GetRole(target.Account, target.Name)
			if err != nil {
				return err
			}
			out = append(out, generate.Credential{Kind: "role", ID: identity, LastUsed: r.LastUsed})
		case analyze.KindUser:
			keys, err := tx.ListAccessKeys(target.Account, target.Name)
			if err != nil {
				return err
			}
			for _, k := range keys {
				out = append(out, generate.Credential{Kind: "access-key", ID: k.ID, LastUsed: k.LastUsed})
			}
			if _, err := tx.GetLoginProfile(target.Account, target.Name); err == nil {
				u, err := tx.GetUser(target.Account, target.Name)
				if err != nil {
					return err
				}
				out = append(out, generate.Credential{Kind: "password", ID: identity, LastUsed: u.PasswordLastUsed})
			} else if !errors.Is(err, store.ErrNotFound) {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read the credentials of %s: %w", identity, err)
	}
	return out, nil
}
