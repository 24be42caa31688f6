package store

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
)

// SecretLen is the length in bytes of the secret that protects API keys.
const SecretLen = 32

// ErrNoSecret is what ParseSecret's error for an empty secret wraps, so
// that a caller that can do without a secret (or generate one) tells that
// case apart from a malformed one.
var ErrNoSecret = errors.New("no secret configured")

// Secret is the 32-byte key that encrypts stored API keys. Its String,
// Format and LogValue methods print "[redacted]", so a Secret that slips
// into a log line or an error message shows nothing. The zero value is not
// a usable secret: Open refuses it.
type Secret struct {
	k *[SecretLen]byte
}

// String implements fmt.Stringer without revealing the secret.
func (Secret) String() string { return "[redacted]" }

// Format implements fmt.Formatter so every verb (%v, %x, %#v…) prints the
// redacted form.
func (s Secret) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(s.String())) }

// LogValue implements slog.LogValuer.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// IsZero reports whether s holds no key (the zero value).
func (s Secret) IsZero() bool { return s.k == nil }

// Equal reports whether s and o are the same key, in constant time.
func (s Secret) Equal(o Secret) bool {
	if s.k == nil || o.k == nil {
		return s.k == o.k
	}
	return hmac.Equal(s.k[:], o.k[:])
}

// ParseSecret decodes a secret given as standard or URL-safe base64 (with
// or without padding, surrounding space trimmed) of exactly 32 bytes, as in
// PAASBOT_SECRET_KEY. The store reads no environment: cmd/paasbot reads
// the variable or its file and hands the text here. An error is a phrase
// the caller puts after the name of the setting ("is not valid base64
// …"); it never contains the value, and for an empty text it wraps
// ErrNoSecret.
func ParseSecret(s string) (Secret, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Secret{}, fmt.Errorf("is empty: %w", ErrNoSecret)
	}
	for _, enc := range []*base64.Encoding{
		base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding,
	} {
		b, err := enc.DecodeString(s)
		if err != nil {
			continue
		}
		if len(b) != SecretLen {
			return Secret{}, fmt.Errorf("must be the base64 of exactly %d bytes, got %d bytes (generate one with: head -c 32 /dev/urandom | base64)", SecretLen, len(b))
		}
		var k [SecretLen]byte
		copy(k[:], b)
		return Secret{k: &k}, nil
	}
	return Secret{}, errors.New("is not valid base64 (generate one with: head -c 32 /dev/urandom | base64)")
}

// NewSecret returns a fresh random secret and its standard base64 form, the
// value to put in PAASBOT_SECRET_KEY.
func NewSecret() (Secret, string, error) {
	var k [SecretLen]byte
	if _, err := rand.Read(k[:]); err != nil {
		return Secret{}, "", fmt.Errorf("generate secret: %w", err)
	}
	return Secret{k: &k}, base64.StdEncoding.EncodeToString(k[:]), nil
}

// keyring holds the keys derived from a Secret: one per purpose, so the
// AEAD key never doubles as the fingerprint key.
type keyring struct {
	aead   cipher.AEAD
	fpKey  []byte
	secret Secret
}

const (
	infoAEAD        = "paasbot/store/apikey-aead/v1"
	infoFingerprint = "paasbot/store/apikey-fingerprint/v1"
)

func newKeyring(s Secret) (*keyring, error) {
	if s.IsZero() {
		return nil, errors.New("store: no secret given (PAASBOT_SECRET_KEY)")
	}
	ek, err := hkdf.Key(sha256.New, s.k[:], nil, infoAEAD, 32)
	if err != nil {
		return nil, fmt.Errorf("store: derive key: %w", err)
	}
	fk, err := hkdf.Key(sha256.New, s.k[:], nil, infoFingerprint, 32)
	if err != nil {
		return nil, fmt.Errorf("store: derive key: %w", err)
	}
	block, err := aes.NewCipher(ek)
	if err != nil {
		return nil, fmt.Errorf("store: cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("store: cipher: %w", err)
	}
	return &keyring{aead: aead, fpKey: fk, secret: s}, nil
}

// seal encrypts plaintext with a random nonce; the result is nonce‖ciphertext.
func (k *keyring) seal(plaintext, ad []byte) ([]byte, error) {
	nonce := make([]byte, k.aead.NonceSize(), k.aead.NonceSize()+len(plaintext)+k.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("store: nonce: %w", err)
	}
	return k.aead.Seal(nonce, nonce, plaintext, ad), nil
}

// open reverses seal. It fails when the secret or the associated data differ.
func (k *keyring) open(sealed, ad []byte) ([]byte, error) {
	n := k.aead.NonceSize()
	if len(sealed) < n+k.aead.Overhead() {
		return nil, errors.New("ciphertext too short")
	}
	return k.aead.Open(nil, sealed[:n], sealed[n:], ad)
}

// fingerprint is a short display id of an API key: the first 8 hex digits
// of an HMAC under a key derived from the secret, so it cannot be reversed
// or brute-forced without the secret.
func (k *keyring) fingerprint(apiKey string) string {
	m := hmac.New(sha256.New, k.fpKey)
	m.Write([]byte(apiKey))
	return hex.EncodeToString(m.Sum(nil)[:4])
}

// apiKeyAD is the associated data for a stored API key: the owner's
// identity, length-prefixed so ("ab","c") and ("a","bc") differ.
func apiKeyAD(id Identity) []byte {
	ad := []byte("paasbot/apikey/v1\x00")
	ad = fmt.Appendf(ad, "%d:%s%d:%s", len(id.Team), id.Team, len(id.User), id.User)
	return ad
}

// The check value: a constant encrypted under the secret at first open, so
// a later open with another secret fails with ErrWrongSecret.
const (
	checkAD    = "paasbot/secret-check/v1"
	checkPlain = "paasbot secret check v1"
)
