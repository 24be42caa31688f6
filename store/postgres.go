package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// IsPostgres reports whether pathOrURL names a PostgreSQL database (a URL
// starting with postgres:// or postgresql://, in any case) rather than a
// SQLite file.
func IsPostgres(pathOrURL string) bool {
	s := strings.ToLower(strings.TrimSpace(pathOrURL))
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// postgresMaxConns bounds the connections of one DB. A replica's work is
// I/O on Gandi and Slack, not on the database; the server's own limit
// (100 by default) is shared by every replica.
const postgresMaxConns = 10

// openPostgres opens the database through pgx's database/sql driver, so
// that one store code (statements, transactions, scanning) serves both
// engines; only placeholders and the few dialect words differ.
func (d *DB) openPostgres(ctx context.Context, rawURL string) error {
	d.dl = postgresDialect()
	d.path = displayURL(rawURL)
	cfg, err := pgx.ParseConfig(strings.TrimSpace(rawURL))
	if err != nil {
		// pgx's text quotes the URL, and a malformed one may keep its
		// password: say what is expected instead.
		return fmt.Errorf("store: open %s: not a valid PostgreSQL URL (want postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=…&search_path=…])", d.path)
	}
	if _, ok := cfg.RuntimeParams["application_name"]; !ok {
		cfg.RuntimeParams["application_name"] = "paasbot"
	}
	raw := stdlib.OpenDB(*cfg)
	raw.SetMaxOpenConns(postgresMaxConns)
	raw.SetMaxIdleConns(postgresMaxConns)
	raw.SetConnMaxIdleTime(5 * time.Minute)
	d.db = newSQLDB(raw, d.dl)
	if err := d.initPostgres(ctx); err != nil {
		_ = raw.Close()
		return err
	}
	return nil
}

func (d *DB) initPostgres(ctx context.Context) error {
	var schema sql.NullString
	if err := d.db.QueryRowContext(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		return d.openError(err)
	}
	if !schema.Valid {
		return fmt.Errorf("store: open %s: no schema to use: the schemas of search_path do not exist (create one, or drop search_path from the URL)", d.path)
	}
	return d.init(ctx)
}

// DisplayName names the database pathOrURL for logs and messages: a
// SQLite path as given, a PostgreSQL URL without its password.
func DisplayName(pathOrURL string) string {
	if IsPostgres(pathOrURL) {
		return displayURL(pathOrURL)
	}
	return pathOrURL
}

// displayURL is rawURL without its password (in the user part or the
// query), to name the database in errors and logs.
func displayURL(rawURL string) string {
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil || u.Host == "" && u.Path == "" {
		return "postgres://(unreadable URL)"
	}
	if u.User != nil {
		u.User = url.User(u.User.Username())
	}
	if q := u.Query(); q.Has("password") {
		q.Del("password")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// postgresOpenError turns what PostgreSQL (or the way to it) says into one
// line naming the database.
func (d *DB) postgresOpenError(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "3D000":
			return fmt.Errorf("store: open %s: the database does not exist (create it, or fix the URL)", d.path)
		case "28P01", "28000":
			return fmt.Errorf("store: open %s: PostgreSQL refused the credentials: %s", d.path, pe.Message)
		case "42501":
			return fmt.Errorf("store: open %s: permission denied (paasbot needs to create tables in its schema): %s", d.path, pe.Message)
		}
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return fmt.Errorf("store: open %s: cannot reach PostgreSQL: %s", d.path, oneLine(ce.Unwrap()))
	}
	if !strings.Contains(err.Error(), "\n") {
		return fmt.Errorf("store: open %s: %w", d.path, err)
	}
	return fmt.Errorf("store: open %s: %s", d.path, oneLine(err))
}

// pgRetryable: a deadlock or a serialization failure, which PostgreSQL
// resolves by aborting one transaction; it may be run again.
func pgRetryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}
