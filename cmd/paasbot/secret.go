package main

import (
	"fmt"
	"os"

	"github.com/paasbot/paasbot/secret"
	"github.com/paasbot/paasbot/store"
)

// The encryption secret's variables: the current one, and the new one of
// rotate-secret.
const (
	secretKeyVar        = "PAASBOT_SECRET_KEY"
	secretKeyFileVar    = "PAASBOT_SECRET_KEY_FILE"
	newSecretKeyVar     = "PAASBOT_NEW_SECRET_KEY"
	newSecretKeyFileVar = "PAASBOT_NEW_SECRET_KEY_FILE"
)

// storeSecret reads the secret that encrypts the stored API keys, once,
// from PAASBOT_SECRET_KEY or the file PAASBOT_SECRET_KEY_FILE names; the
// store gets it as a value and reads no environment. Neither set is an
// error wrapping store.ErrNoSecret.
func (c *config) storeSecret() (store.Secret, error) {
	return readSecret(c.SecretKey, c.SecretKeyFile, secretKeyVar, secretKeyFileVar)
}

// readSecret parses a secret given as base64 text (value, from variable
// keyVar) or in the file at path (from variable fileVar; surrounding space
// trimmed). Both set is an error, neither one wraps store.ErrNoSecret.
// Errors name the variable or the file, never the value.
func readSecret(value secret.Value, path, keyVar, fileVar string) (store.Secret, error) {
	switch {
	case !value.IsZero() && path != "":
		return store.Secret{}, fmt.Errorf("both %s and %s are set: set only one", keyVar, fileVar)
	case !value.IsZero():
		s, err := store.ParseSecret(value.Reveal())
		if err != nil {
			return store.Secret{}, fmt.Errorf("%s %w", keyVar, err)
		}
		return s, nil
	case path != "":
		b, err := os.ReadFile(path)
		if err != nil {
			// The os error names the path, never the content.
			return store.Secret{}, fmt.Errorf("%s: %w", fileVar, err)
		}
		s, err := store.ParseSecret(string(b))
		if err != nil {
			return store.Secret{}, fmt.Errorf("the file %s (%s) %w", path, fileVar, err)
		}
		return s, nil
	}
	return store.Secret{}, fmt.Errorf("%s or %s is required: %w", keyVar, fileVar, store.ErrNoSecret)
}
