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

// All returns every migration in version order. It fails if the versions
// do not run 1, 2, 3... without gaps or duplicates.
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
	for i, m := range out {
		if m.Version != i+1 {
			return nil, fmt.Errorf("migrations: %s: want version %d", m.Name, i+1)
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
