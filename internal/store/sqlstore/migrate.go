package sqlstore

import (
	"fmt"

	"github.com/sekisho/sekisho/internal/store/migrations"
)

// CreateMigrationsTable creates, in either SQL store, the table recording
// which migrations a database has applied.
const CreateMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at BIGINT NOT NULL
)`

// SelectAppliedVersions is the query AppliedVersions reads.
const SelectAppliedVersions = "SELECT version FROM schema_migrations"

// AppliedVersions reads the versions in rows, the result of
// SelectAppliedVersions, and closes rows.
func AppliedVersions(rows Rows) (map[int]bool, error) {
	defer rows.Close()
	applied := map[int]bool{}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("migrate: %w", err)
		}
		applied[v] = true
	}
	return applied, rows.Err()
}

// RefuseNewerSchema fails for a database that has applied a migration
// this build does not know: its schema may not be what the build expects.
func RefuseNewerSchema(applied map[int]bool, all []migrations.Migration) error {
	latest := 0
	for v := range applied {
		latest = max(latest, v)
	}
	if latest > migrations.Latest(all) {
		return fmt.Errorf("migrate: database schema version %d is newer than this build's %d", latest, migrations.Latest(all))
	}
	return nil
}
