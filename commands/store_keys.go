package commands

import (
	"context"

	"github.com/paasbot/paasbot/secret"
	"github.com/paasbot/paasbot/store"
)

// KeyStore keeps each person's Gandi API key, encrypted (store.DB).
type KeyStore interface {
	PutAPIKey(ctx context.Context, id store.Identity, apiKey secret.Value) (fingerprint string, err error)
	APIKey(ctx context.Context, id store.Identity) (apiKey secret.Value, meta store.KeyMeta, err error)
	DeleteAPIKey(ctx context.Context, id store.Identity) error
}
