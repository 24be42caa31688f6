package telemetry

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
)

// Redacted is what a Secret, or an attribute the redacting handler masks,
// prints instead of its value.
const Redacted = "[redacted]"

// Secret holds a value that must never be printed: an API key, a Slack
// token, a generated password, the store's secret. Every way Go prints a
// value — String, GoString, every fmt verb, slog (LogValue), JSON and text
// marshalling — yields "[redacted]"; only Reveal returns the value, so the
// one place that really needs it (an HTTP header, an XML-RPC parameter)
// says so in the code.
//
// Two holes Go itself leaves: fmt cannot call methods on an unexported
// struct field, so %v of a struct with an unexported Secret field prints
// the raw string; and encoding/json writes a string-kind map key as is, so
// never use a Secret as a map key. Keep Secret fields exported.
type Secret string

// Reveal returns the secret value. Call it only where the value leaves the
// process for its intended recipient.
func (s Secret) Reveal() string { return string(s) }

// IsZero reports whether the secret is empty, without revealing it.
func (s Secret) IsZero() bool { return s == "" }

// String implements fmt.Stringer.
func (Secret) String() string { return Redacted }

// GoString implements fmt.GoStringer (the %#v verb).
func (Secret) GoString() string { return Redacted }

// Format implements fmt.Formatter so that every verb (%s, %q, %x, %d…)
// prints the placeholder rather than the bytes.
func (Secret) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, Redacted) }

// LogValue implements slog.LogValuer.
func (Secret) LogValue() slog.Value { return slog.StringValue(Redacted) }

// MarshalJSON keeps the value out of JSON output (slog's JSON handler,
// debug dumps).
func (Secret) MarshalJSON() ([]byte, error) { return json.Marshal(Redacted) }

// MarshalText keeps the value out of text encoders.
func (Secret) MarshalText() ([]byte, error) { return []byte(Redacted), nil }
