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

// All returns every migration in version order. It fails on a repeated
// version. Versions may skip numbers: migrations are numbered as they are
// planned, and one may be merged before another with a lower number, so
// the runners apply each migration a database has not recorded (Pending)
// rather than those above its highest.
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

// Pending returns the migrations of all whose versions applied lacks, in
// version order. It fails if applied holds a version all does not have:
// the database was migrated by a newer build.
func Pending(all []Migration, applied []int) ([]Migration, error) {
	known := make(map[int]bool, len(all))
	for _, m := range all {
		known[m.Version] = true
	}
	done := make(map[int]bool, len(applied))
	for _, v := range applied {
		if !known[v] {
			return nil, fmt.Errorf("migrate: the database has schema version %d, which this build does not know: it was migrated by a newer build", v)
		}
		done[v] = true
	}
	var out []Migration
	for _, m := range all {
		if !done[m.Version] {
			out = append(out, m)
		}
	}
	return out, nil
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
