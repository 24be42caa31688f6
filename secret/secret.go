// Package secret holds the one type of paasbot for values that must never
// be printed: people's Gandi API keys (from the store, through the
// approvals engine, to the Gandi client), Slack tokens, generated
// passwords. It is a leaf: every package may use it, it uses none of
// paasbot's.
package secret

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
)

// Redacted is what a Value, or an attribute telemetry's redacting handler
// masks, prints instead of its value.
const Redacted = "[redacted]"

// Value holds a value that must never be printed: an API key, a Slack
// token, a generated password, the text of PAASBOT_SECRET_KEY. Every way Go prints a
// value — String, GoString, every fmt verb, slog (LogValue), JSON and text
// marshalling — yields "[redacted]"; only Reveal returns the value, so the
// one place that really needs it (an HTTP header, an XML-RPC parameter)
// says so in the code.
//
// Two holes Go itself leaves: fmt cannot call methods on an unexported
// struct field, so %v of a struct with an unexported Value field prints
// the raw string; and encoding/json writes a string-kind map key as is, so
// never use a Value as a map key. Keep Value fields exported.
type Value string

// Reveal returns the secret value. Call it only where the value leaves the
// process for its intended recipient.
func (s Value) Reveal() string { return string(s) }

// IsZero reports whether the secret is empty, without revealing it.
func (s Value) IsZero() bool { return s == "" }

// String implements fmt.Stringer.
func (Value) String() string { return Redacted }

// GoString implements fmt.GoStringer (the %#v verb).
func (Value) GoString() string { return Redacted }

// Format implements fmt.Formatter so that every verb (%s, %q, %x, %d…)
// prints the placeholder rather than the bytes.
func (Value) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, Redacted) }

// LogValue implements slog.LogValuer.
func (Value) LogValue() slog.Value { return slog.StringValue(Redacted) }

// MarshalJSON keeps the value out of JSON output (slog's JSON handler,
// debug dumps).
func (Value) MarshalJSON() ([]byte, error) { return json.Marshal(Redacted) }

// MarshalText keeps the value out of text encoders.
func (Value) MarshalText() ([]byte, error) { return []byte(Redacted), nil }
