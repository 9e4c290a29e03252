// Package migrations holds the versioned SQL schema of the SQL stores
// (sqlite now, postgres later): one file per version, NNNN_name.sql,
// written in SQL both engines accept.
package migrations

import (
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
)

//go:embed *.sql
var files embed.FS

// Migration is one schema version.
type Migration struct {
	Version int    // from the file name's number, counting up from 1
	Name    string // the rest of the file name, without .sql
	SQL     string // one or more statements separated by semicolons
}

// All returns every migration in version order. Versions may leave gaps
// (numbers are handed out ahead of merges) but not repeat.
func All() ([]Migration, error) {
	names, err := fs.Glob(files, "*.sql")
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	out := make([]Migration, 0, len(names))
	for _, name := range names {
		m, err := load(name)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	for i := 1; i < len(out); i++ {
		if out[i].Version == out[i-1].Version {
			return nil, fmt.Errorf("migrations: %s and %s share version %d", out[i-1].Name, out[i].Name, out[i].Version)
		}
	}
	return out, nil
}

// Pending returns the migrations of all (in version order) after version
// current, the highest one a database has recorded; it fails if current
// is newer than every migration this build knows.
func Pending(all []Migration, current int) ([]Migration, error) {
	latest := 0
	if len(all) > 0 {
		latest = all[len(all)-1].Version
	}
	if current > latest {
		return nil, fmt.Errorf("migrate: database schema version %d is newer than this build's %d", current, latest)
	}
	for i, m := range all {
		if m.Version > current {
			return all[i:], nil
		}
	}
	return nil, nil
}

func load(file string) (Migration, error) {
	num, name, ok := strings.Cut(strings.TrimSuffix(file, ".sql"), "_")
	v, err := strconv.Atoi(num)
	if !ok || err != nil || v < 1 {
		return Migration{}, fmt.Errorf("migrations: %s: want NNNN_name.sql", file)
	}
	body, err := files.ReadFile(file)
	if err != nil {
		return Migration{}, fmt.Errorf("migrations: %w", err)
	}
	return Migration{Version: v, Name: name, SQL: string(body)}, nil
}
