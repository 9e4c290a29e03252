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

// All returns every migration in version order. It fails on a duplicate
// version. Versions may have gaps: helpers working in parallel are handed
// numbers in advance, and a store applies each version it has not recorded
// (see Pending), so a lower number arriving later is still applied.
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
			return nil, fmt.Errorf("migrations: %s: version %d used twice", out[i].Name, out[i].Version)
		}
	}
	return out, nil
}

// Pending returns the migrations of all whose versions are not in applied,
// in version order.
func Pending(all []Migration, applied map[int]bool) []Migration {
	var out []Migration
	for _, m := range all {
		if !applied[m.Version] {
			out = append(out, m)
		}
	}
	return out
}

// Latest is the highest version of all (0 for none): a database recording a
// higher one is newer than this build.
func Latest(all []Migration) int {
	if len(all) == 0 {
		return 0
	}
	return all[len(all)-1].Version
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
