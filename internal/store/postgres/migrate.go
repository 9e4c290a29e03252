package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sekisho/sekisho/internal/store/migrations"
	"github.com/sekisho/sekisho/internal/store/sqlstore"
)

// migrateLock is the key of the advisory lock migrations run under
// ("sekisho" in ASCII), so replicas starting together take turns.
const migrateLock int64 = 0x73656b6973686f

// createGeneration is this store's own schema, beside the shared
// migrations (SQLite keeps its generation in memory): the one-row counter
// of committed Updates. It is idempotent and runs on every Open.
const createGeneration = `CREATE TABLE IF NOT EXISTS generation (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    value BIGINT NOT NULL
);
INSERT INTO generation (id, value) VALUES (1, 0) ON CONFLICT (id) DO NOTHING`

// beginner is a *pgx.Conn or a *pgxpool.Pool.
type beginner interface {
	Begin(ctx context.Context) (pgx.Tx, error)
}

// Migrate applies pending migrations to the database of dsn and returns,
// for `sekisho migrate`: what Open does first, without staying connected.
func Migrate(ctx context.Context, dsn string) error {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return errBadDSN
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if err := migrate(ctx, conn, time.Now); err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	return nil
}

// migrate applies, in one transaction holding the migration lock, every
// migration the database has not recorded in schema_migrations yet, and
// makes sure the generation counter exists. It refuses a database whose
// schema is newer than this build's.
func migrate(ctx context.Context, db beginner, now func() time.Time) error {
	all, err := migrations.All()
	if err != nil {
		return err
	}
	tx, err := db.Begin(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer tx.Rollback(ctx)
	applied, err := lockSchema(ctx, tx)
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
	if err := execScript(ctx, tx, createGeneration); err != nil {
		return fmt.Errorf("migrate: generation: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("migrate: commit: %w", err)
	}
	return nil
}

// lockSchema takes the migration lock (until tx ends) and returns the
// schema versions recorded.
func lockSchema(ctx context.Context, tx pgx.Tx) (map[int]bool, error) {
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", migrateLock); err != nil {
		return nil, fmt.Errorf("migrate: lock: %w", err)
	}
	if _, err := tx.Exec(ctx, sqlstore.CreateMigrationsTable); err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	rows, err := tx.Query(ctx, sqlstore.SelectAppliedVersions)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	return sqlstore.AppliedVersions(pgRows{rows})
}

func apply(ctx context.Context, tx pgx.Tx, m migrations.Migration, at time.Time) error {
	if err := execScript(ctx, tx, m.SQL); err != nil {
		return fmt.Errorf("migrate: %04d_%s: %w", m.Version, m.Name, err)
	}
	_, err := tx.Exec(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
		m.Version, m.Name, at.UnixMicro())
	if err != nil {
		return fmt.Errorf("migrate: record %04d_%s: %w", m.Version, m.Name, err)
	}
	return nil
}

// execScript runs statements separated by semicolons (the simple query
// protocol takes several at once).
func execScript(ctx context.Context, tx pgx.Tx, sql string) error {
	_, err := tx.Conn().PgConn().Exec(ctx, sql).ReadAll()
	return err
}

// querier is a *pgx.Conn, a *pgxpool.Pool or a pgx.Tx.
type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// readGeneration reads the committed generation.
func readGeneration(ctx context.Context, q querier) (uint64, error) {
	var v int64
	if err := q.QueryRow(ctx, "SELECT value FROM generation WHERE id = 1").Scan(&v); err != nil {
		return 0, err
	}
	return uint64(v), nil
}

// generationChannel is what Updates notify and listeners listen to.
const generationChannel = "sekisho_generation"

// bumpGeneration increments the generation, holding its row lock until
// tx ends (so Updates take turns), and queues a notification of the new
// value, which PostgreSQL delivers if and when tx commits.
func bumpGeneration(ctx context.Context, tx pgx.Tx) (uint64, error) {
	var v int64
	err := tx.QueryRow(ctx, `WITH g AS (UPDATE generation SET value = value + 1 WHERE id = 1 RETURNING value)
		SELECT g.value FROM g, pg_notify('`+generationChannel+`', g.value::text)`).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("generation: %w", err)
	}
	return uint64(v), nil
}
