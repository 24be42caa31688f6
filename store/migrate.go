package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"sort"
	"strconv"
	"strings"
	"text/template"
	"time"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migration is one numbered schema step, applied in one transaction.
type migration struct {
	version int
	name    string
	sql     string
}

// loadMigrations reads NNNN_name.sql files, numbered 1, 2, 3… without
// gaps, and renders each for the engine of dl. A migration is a
// text/template over the dialect: {{.ID}}, {{.Blob}}, {{.Bool}} and
// {{.WithoutRowid}} stand for the few words that differ, and
// {{if .SQLite}}…{{else}}…{{end}} holds what is written differently (the
// append-only triggers). Everything else is the same SQL on both.
func loadMigrations(fsys fs.FS, dl *dialect) ([]migration, error) {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, n := range names {
		base := path.Base(n)
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name must start with a positive number and '_'", base)
		}
		b, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, err
		}
		tmpl, err := template.New(base).Option("missingkey=error").Parse(string(b))
		if err != nil {
			return nil, fmt.Errorf("migration %s: %w", base, err)
		}
		var out strings.Builder
		if err := tmpl.Execute(&out, dl); err != nil {
			return nil, fmt.Errorf("migration %s: %w", base, err)
		}
		ms = append(ms, migration{version: v, name: base, sql: out.String()})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: expected number %d", m.name, i+1)
		}
	}
	return ms, nil
}

// schemaVersion is the highest migration recorded, 0 for an empty database
// (or schema). A database that already holds tables but no
// schema_migrations table is not a paasbot database and is refused.
func schemaVersion(ctx context.Context, q queryer, dl *dialect) (int, error) {
	tables := `SELECT count(*), count(*) FILTER (WHERE name = 'schema_migrations')
		FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`
	if dl.Postgres {
		tables = `SELECT count(*), count(*) FILTER (WHERE table_name = 'schema_migrations')
			FROM information_schema.tables WHERE table_schema = current_schema()`
	}
	var n, hasMigrations int
	if err := q.QueryRowContext(ctx, tables).Scan(&n, &hasMigrations); err != nil {
		return 0, err
	}
	if hasMigrations == 0 {
		if n > 0 {
			what := "database"
			if dl.Postgres {
				what = "schema (give paasbot a database, or a schema with ?search_path=, of its own)"
			}
			return 0, fmt.Errorf("it holds tables but no schema_migrations: not a paasbot %s", what)
		}
		return 0, nil
	}
	var v *int64
	if err := q.QueryRowContext(ctx, `SELECT max(version) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, err
	}
	if v == nil {
		return 0, nil
	}
	return int(*v), nil
}

// migrate applies the migrations the database lacks, each in its own
// transaction that first takes the migration lock and then re-reads the
// version, so that processes opening the same new database at once apply
// each step once. On SQLite the lock is the write lock every transaction
// takes up front (BEGIN IMMEDIATE); on PostgreSQL it is an advisory lock
// of the transaction, keyed by the schema, released at commit or rollback
// (or when a crashed process's connection ends).
func migrate(ctx context.Context, db *sqlDB, ms []migration, now func() time.Time, log *slog.Logger) error {
	v, err := schemaVersion(ctx, db, db.dl)
	if err != nil {
		return err
	}
	if v > len(ms) {
		return newerSchema(v, len(ms))
	}
	for _, m := range ms[v:] {
		if err := applyMigration(ctx, db, m, now, log); err != nil {
			return err
		}
	}
	return nil
}

func newerSchema(v, known int) error {
	return fmt.Errorf("%w: schema version %d, this paasbot knows up to %d; upgrade paasbot (or restore a backup made by this version)", ErrNewerSchema, v, known)
}

// migrationLock serialises migrations of one PostgreSQL schema: two keys,
// paasbot's and the schema's, so that databases and schemas of other
// applications (or other paasbot schemas) are never blocked.
const migrationLock = `SELECT pg_advisory_xact_lock(hashtext('paasbot/migrate'), hashtext(current_schema()))`

func applyMigration(ctx context.Context, db *sqlDB, m migration, now func() time.Time, log *slog.Logger) error {
	tx, err := db.BeginTx(ctx)
	if err != nil {
		return fmt.Errorf("migration %s: %w", m.name, err)
	}
	defer func() { _ = tx.Rollback() }()
	if db.dl.Postgres {
		if _, err := tx.ExecContext(ctx, migrationLock); err != nil {
			return fmt.Errorf("migration %s: take the migration lock: %w", m.name, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at BIGINT NOT NULL)`); err != nil {
		return fmt.Errorf("migration %s: %w", m.name, err)
	}
	cur, err := schemaVersion(ctx, tx, db.dl)
	if err != nil {
		return fmt.Errorf("migration %s: %w", m.name, err)
	}
	if cur >= m.version {
		return nil // another process got there first
	}
	// The script runs as written (no placeholders to rebind).
	if _, err := tx.raw.ExecContext(ctx, m.sql); err != nil {
		return fmt.Errorf("migration %s: %w", m.name, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
		m.version, m.name, now().UnixNano()); err != nil {
		return fmt.Errorf("migration %s: %w", m.name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migration %s: %w", m.name, err)
	}
	log.Info("applied schema migration", "version", m.version, "name", m.name)
	return nil
}
