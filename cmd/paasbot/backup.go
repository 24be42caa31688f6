package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/paasbot/paasbot/store"
)

// runBackup writes a consistent copy of the database with VACUUM INTO,
// safe while the bot runs and writes.
func runBackup(ctx context.Context, env *environment, args []string) error {
	fset := flag.NewFlagSet("backup", flag.ContinueOnError)
	fset.SetOutput(env.stderr)
	fset.Usage = func() {
		fmt.Fprintln(env.stderr, "usage: paasbot backup [--db PATH] TARGET")
		fmt.Fprintln(env.stderr, "Writes a consistent copy of the database to TARGET (which must not exist) while paasbot runs.")
		fmt.Fprintln(env.stderr, "Needs PAASBOT_SECRET_KEY or PAASBOT_SECRET_KEY_FILE: the copy's API keys stay encrypted under it.")
		fset.PrintDefaults()
	}
	cfg, pos, err := maintConfig(env, fset, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fset.Usage()
		return errUsage
	}
	target := pos[0]
	if store.IsPostgres(cfg.DB) {
		return fmt.Errorf("the database is PostgreSQL: back it up with pg_dump (pg_dump --format=custom --file=paasbot.dump \"$PAASBOT_DB\"); paasbot backup copies SQLite files only")
	}
	db, err := maintOpen(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Backup(ctx, target); err != nil {
		return err
	}
	abs, _ := filepath.Abs(target)
	var size int64
	if fi, err := os.Stat(abs); err == nil {
		size = fi.Size()
	}
	fmt.Fprintf(env.stdout, "backup of %s written to %s (%d bytes)\n", db.Path(), abs, size)
	fmt.Fprintln(env.stdout, "API keys in it are encrypted under the current secret: keep that secret to use the copy.")
	return nil
}

// maintConfig reads the configuration of a maintenance command (backup,
// rotate-secret): the same settings as run, checked the same way, with
// the command's flags (already on fset) anywhere among its positional
// arguments, which it returns. A bad setting is a *configError; -h is
// answered (nil error after the usage, exit 0) by returning errHelp.
func maintConfig(env *environment, fset *flag.FlagSet, args []string) (*config, []string, error) {
	read := registerSettings(fset, forRun)
	pos, err := maintParse(fset, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, nil, errHelp
		}
		return nil, nil, errUsage
	}
	cfg, err := read(env.getenv)
	if err != nil {
		return nil, nil, err
	}
	return cfg, pos, nil
}

// maintParse parses flags placed before or after the positional arguments
// (the standard flag package stops at the first positional one).
func maintParse(fset *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fset.Parse(args); err != nil {
			return nil, err
		}
		if fset.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fset.Arg(0))
		args = fset.Args()[1:]
	}
}

// maintOpen opens the existing database of cfg with its secret. Unlike the
// bot, maintenance commands never create an empty database.
func maintOpen(ctx context.Context, cfg *config) (*store.DB, error) {
	dbSecret, err := cfg.storeSecret()
	if err != nil {
		return nil, err
	}
	if err := maintExists(ctx, cfg, dbSecret); err != nil {
		return nil, err
	}
	return store.Open(ctx, cfg.DB, dbSecret)
}

// maintExists refuses a database that holds no paasbot data: a SQLite file
// that does not exist, or a PostgreSQL database (or schema) without
// paasbot's tables, so that a mistyped PAASBOT_DB is said to be one
// rather than created. On PostgreSQL it connects (store.Inspect, which
// changes nothing), so an unreachable server or a wrong secret is said
// here too, in one line.
func maintExists(ctx context.Context, cfg *config, secret store.Secret) error {
	if store.IsPostgres(cfg.DB) {
		s, err := store.Inspect(ctx, cfg.DB, secret)
		if err != nil {
			return err
		}
		if s.Version == 0 {
			return fmt.Errorf("database %s holds no paasbot tables (set PAASBOT_DB or --db to paasbot's database)", s.Name)
		}
		return nil
	}
	if _, err := os.Stat(cfg.DB); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("database %s does not exist (set PAASBOT_DB or --db)", cfg.DB)
	} else if err != nil {
		return fmt.Errorf("database %s: %w", cfg.DB, err)
	}
	return nil
}
