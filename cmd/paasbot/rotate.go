package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/paasbot/paasbot/secret"
	"github.com/paasbot/paasbot/store"
)

// runRotateSecret re-encrypts every stored API key under a new secret, in
// one transaction. The current secret comes from the usual variables; the
// new one from PAASBOT_NEW_SECRET_KEY, --new-secret-file (or
// PAASBOT_NEW_SECRET_KEY_FILE), else it is generated and printed once.
func runRotateSecret(ctx context.Context, env *environment, args []string) error {
	fset := flag.NewFlagSet("rotate-secret", flag.ContinueOnError)
	fset.SetOutput(env.stderr)
	newFile := fset.String("new-secret-file", "", "file holding the new secret (default $PAASBOT_NEW_SECRET_KEY_FILE)")
	fset.Usage = func() {
		fmt.Fprintln(env.stderr, "usage: paasbot rotate-secret [--db PATH] [--new-secret-file FILE]")
		fmt.Fprintln(env.stderr, "Re-encrypts every stored API key from the current secret (PAASBOT_SECRET_KEY or")
		fmt.Fprintln(env.stderr, "PAASBOT_SECRET_KEY_FILE) to a new one (PAASBOT_NEW_SECRET_KEY or --new-secret-file;")
		fmt.Fprintln(env.stderr, "with neither, a new secret is generated and printed once). Stop paasbot first (every")
		fmt.Fprintln(env.stderr, "replica), and back the database up before ('paasbot backup', or pg_dump on PostgreSQL).")
		fset.PrintDefaults()
	}
	cfg, pos, err := maintConfig(env, fset, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		fmt.Fprintf(env.stderr, "paasbot rotate-secret: unexpected argument %q\n", pos[0])
		return errUsage
	}
	old, err := cfg.storeSecret()
	if err != nil {
		return fmt.Errorf("current secret: %w", err)
	}
	if err := maintExists(ctx, cfg, old); err != nil {
		return err
	}

	newValue := secret.Value(env.getenv(newSecretKeyVar))
	file := *newFile
	if file == "" {
		file = env.getenv(newSecretKeyFileVar)
	}
	generated := newValue == "" && file == ""
	var next store.Secret
	if generated {
		s, b64, err := store.NewSecret()
		if err != nil {
			return err
		}
		next = s
		// Printed before rotating: once keys are re-encrypted, losing this
		// value would lose them all.
		fmt.Fprintln(env.stderr, "paasbot rotate-secret: no PAASBOT_NEW_SECRET_KEY or --new-secret-file: generated a new secret.")
		fmt.Fprintln(env.stderr, "It is printed below ONCE and stored nowhere else: save it in your secret store now.")
		fmt.Fprintf(env.stdout, "new secret: %s\n", b64)
	} else {
		next, err = readSecret(newValue, file, newSecretKeyVar, newSecretKeyFileVar)
		if err != nil {
			return fmt.Errorf("new secret: %w", err)
		}
	}

	n, err := store.RotateSecret(ctx, cfg.DB, old, next)
	if err != nil {
		if generated {
			return fmt.Errorf("%w (nothing changed: the generated secret above is NOT in use, keep the current one)", err)
		}
		return err
	}
	fmt.Fprintf(env.stdout, "re-encrypted %d API key(s) in %s under the new secret.\n", n, cfg.DBName())
	fmt.Fprintln(env.stdout, "Now set PAASBOT_SECRET_KEY (or the file of PAASBOT_SECRET_KEY_FILE) to the new secret and restart paasbot (every replica):")
	fmt.Fprintln(env.stdout, "the old secret no longer opens this database (backups made before keep the old one).")
	return nil
}
