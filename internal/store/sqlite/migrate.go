package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/sekisho/sekisho/internal/store/migrations"
	"github.com/sekisho/sekisho/internal/store/sqlstore"
)

// migrate applies, in one transaction, every migration the database has
// not recorded in schema_migrations yet.
func migrate(ctx context.Context, db *sql.DB, now func() time.Time) error {
	all, err := migrations.All()
	if err != nil {
		return err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, sqlstore.CreateMigrationsTable); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	applied, err := appliedVersions(ctx, tx)
	if err != nil {
		return err
	}
	if err := sqlstore.RefuseNewerSchema(applied, all); err != nil {
		return err
	}
	for _, m := range migrations.Pending(all, applied) {
		if err := apply(ctx, tx, m, now()); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrate: commit: %w", err)
	}
	return nil
}

func apply(ctx context.Context, tx *sql.Tx, m migrations.Migration, at time.Time) error {
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return fmt.Errorf("migrate: %04d_%s: %w", m.Version, m.Name, err)
	}
	_, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
		m.Version, m.Name, at.UnixMicro())
	if err != nil {
		return fmt.Errorf("migrate: record %04d_%s: %w", m.Version, m.Name, err)
	}
	return nil
}

// appliedVersions reads the versions recorded in schema_migrations.
func appliedVersions(ctx context.Context, tx *sql.Tx) (map[int]bool, error) {
	rows, err := tx.QueryContext(ctx, sqlstore.SelectAppliedVersions)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	return sqlstore.AppliedVersions(rows)
}
