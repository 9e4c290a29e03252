package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sekisho/sekisho/internal/analyze"
	"github.com/sekisho/sekisho/internal/store"
	"github.com/sekisho/sekisho/internal/store/sqlite"
	"github.com/sekisho/sekisho/internal/world"
)

// stateFlags choose the state an analysis reads: world files loaded into
// memory, or the server's data directory.
type stateFlags struct {
	worldFile, dataDir string
	demo               bool
}

func (f *stateFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.worldFile, "world", "", "world file to analyze (YAML), loaded into memory")
	fl.StringVar(&f.dataDir, "data-dir", "", "the server's data directory (its sekisho.db is only read)")
	fl.BoolVar(&f.demo, "demo", false, "analyze the built-in demo world")
}

// open returns the store to analyze; the caller closes it.
func (f *stateFlags) open(ctx context.Context) (store.Store, error) {
	switch {
	case f.dataDir != "" && (f.worldFile != "" || f.demo):
		return nil, exitError{exitBadInput, errors.New("give --data-dir, or --world and --demo, not both")}
	case f.dataDir != "":
		return openDataDir(f.dataDir)
	case f.worldFile == "" && !f.demo:
		return nil, exitError{exitBadInput, errors.New("give --world FILE, --demo or --data-dir DIR")}
	}
	worlds, err := worldsToLoad(serveFlags{worldFile: f.worldFile, demo: f.demo})
	if err != nil {
		return nil, exitError{exitBadInput, err}
	}
	st, err := sqlite.OpenMemory()
	if err != nil {
		return nil, err
	}
	for _, w := range worlds {
		if err := world.Load(ctx, st, w); err != nil {
			st.Close()
			return nil, exitError{exitBadInput, err}
		}
	}
	if err := world.LoadOrganization(ctx, st, worlds, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		st.Close()
		return nil, exitError{exitBadInput, err}
	}
	return st, nil
}

// openDataDir opens an existing store file, refusing to create one.
func openDataDir(dir string) (store.Store, error) {
	path := filepath.Join(dir, "sekisho.db")
	if _, err := os.Stat(path); err != nil {
		return nil, exitError{exitBadInput, fmt.Errorf("--data-dir: %w", err)}
	}
	return sqlite.Open(path)
}

// snapshot opens the state and loads it for analysis, printing warnings
// about documents that do not compile.
func (f *stateFlags) snapshot(ctx context.Context, stderr io.Writer) (*analyze.Snapshot, error) {
	st, err := f.open(ctx)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	s, err := analyze.Load(ctx, st)
	if err != nil {
		return nil, err
	}
	for _, w := range s.Warnings() {
		fmt.Fprintln(stderr, "warning:", w)
	}
	return s, nil
}

type whoCanFlags struct {
	state            stateFlags
	action, resource string
	asJSON           bool
}

func newWhoCanCommand() *cobra.Command {
	var f whoCanFlags
	cmd := &cobra.Command{
		Use:   "who-can --action ACTION --resource ARN [--world FILE | --data-dir DIR | --demo] [--json]",
		Short: "List every principal that can perform an action on a resource, with its chain of role assumptions",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := f.state.snapshot(cmd.Context(), cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			paths, err := s.WhoCan(f.action, f.resource)
			if err != nil {
				return exitError{exitBadInput, err}
			}
			return printPaths(cmd.OutOrStdout(), f, paths)
		},
	}
	f.state.register(cmd)
	fl := cmd.Flags()
	fl.StringVar(&f.action, "action", "", "action, e.g. s3:GetObject")
	fl.StringVar(&f.resource, "resource", "", "resource ARN, e.g. arn:aws:s3:::bucket/key or a role ARN")
	fl.BoolVar(&f.asJSON, "json", false, "print the paths as JSON")
	_ = cmd.MarkFlagRequired("action")
	_ = cmd.MarkFlagRequired("resource")
	return cmd
}

// pathJSON is one path in --json output.
type pathJSON struct {
	analyze.Path
	Chain string `json:"chain"`
}

func printPaths(w io.Writer, f whoCanFlags, paths []analyze.Path) error {
	if f.asJSON {
		out := struct {
			Action   string     `json:"action"`
			Resource string     `json:"resource"`
			Paths    []pathJSON `json:"paths"`
		}{f.action, f.resource, []pathJSON{}}
		for _, p := range paths {
			out.Paths = append(out.Paths, pathJSON{p, p.String()})
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	if len(paths) == 0 {
		fmt.Fprintf(w, "nobody can perform %s on %s\n", f.action, f.resource)
		return nil
	}
	for _, p := range paths {
		printPath(w, p)
	}
	return nil
}

func printPath(w io.Writer, p analyze.Path) {
	line := p.String()
	if p.Conditional {
		line += "  [conditional]"
	}
	if p.OutsideOrganization {
		line += "  [outside the organization]"
	}
	fmt.Fprintln(w, line)
	if p.Principal.Kind == analyze.KindFederated {
		fmt.Fprintf(w, "    identities: %s\n", p.Principal.Name)
	}
	var others []string
	for _, role := range p.Via {
		if len(p.Steps) < 2 || role != p.Steps[0].Resource {
			others = append(others, role)
		}
	}
	if len(others) > 0 {
		fmt.Fprintf(w, "    also via %s\n", strings.Join(others, ", "))
	}
}
