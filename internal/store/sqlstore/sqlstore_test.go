package sqlstore

import "testing"

func TestSQL(t *testing.T) {
	sqlite := &Dialect{}
	pg := &Dialect{Numbered: true, Collate: ` COLLATE "C"`, DoNothing: " ON CONFLICT DO NOTHING"}
	for _, c := range []struct{ in, sqlite, pg string }{
		{"SELECT 1", "SELECT 1", "SELECT 1"},
		{"SELECT a FROM t WHERE b = ? AND c = ? ORDER BY d{C}, e",
			"SELECT a FROM t WHERE b = ? AND c = ? ORDER BY d, e",
			`SELECT a FROM t WHERE b = $1 AND c = $2 ORDER BY d COLLATE "C", e`},
		{"INSERT INTO t (a, b) VALUES (?, ?){DO NOTHING}",
			"INSERT INTO t (a, b) VALUES (?, ?)",
			"INSERT INTO t (a, b) VALUES ($1, $2) ON CONFLICT DO NOTHING"},
		{"SELECT ?1 UNION ALL SELECT ?1 UNION ALL SELECT ?12",
			"SELECT ?1 UNION ALL SELECT ?1 UNION ALL SELECT ?12",
			"SELECT $1 UNION ALL SELECT $1 UNION ALL SELECT $12"},
		{"{C}{X}", "{X}", ` COLLATE "C"{X}`},
	} {
		for range 2 { // the second time from the cache
			if got := sqlite.SQL(c.in); got != c.sqlite {
				t.Errorf("sqlite: SQL(%q) = %q, want %q", c.in, got, c.sqlite)
			}
			if got := pg.SQL(c.in); got != c.pg {
				t.Errorf("pg: SQL(%q) = %q, want %q", c.in, got, c.pg)
			}
		}
	}
}
