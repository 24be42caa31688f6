package telemetry

import (
	"context"
	"log/slog"
	"strings"

	"github.com/paasbot/paasbot/secret"
)

// NewRedactingHandler wraps next so that secrets logged by mistake do not
// reach the output:
//
//   - an attribute whose key looks secret (apikey, api_key, password,
//     token, secret, authorization, cookie, credential, private key…) has
//     its value replaced by "[redacted]", at any depth of groups, and a
//     group with such a name is masked whole;
//   - a Slack token (xoxb-…, xoxp-…, xapp-…) inside any string value, error
//     text or the message itself is replaced by its prefix and "[redacted]".
//
// It is a safety net, not the mechanism: values that are secret should be
// held as Secret, which redacts itself wherever it goes.
func NewRedactingHandler(next slog.Handler) slog.Handler {
	return &redactHandler{next: next}
}

type redactHandler struct {
	next slog.Handler
	// maskAll is set under a group whose name looks secret: everything
	// logged below it is masked.
	maskAll bool
}

func (h *redactHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.next.Enabled(ctx, l)
}

func (h *redactHandler) Handle(ctx context.Context, r slog.Record) error {
	nr := slog.NewRecord(r.Time, r.Level, scrubTokens(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		nr.AddAttrs(h.redact(a))
		return true
	})
	return h.next.Handle(ctx, nr)
}

func (h *redactHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	out := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		out[i] = h.redact(a)
	}
	return &redactHandler{next: h.next.WithAttrs(out), maskAll: h.maskAll}
}

func (h *redactHandler) WithGroup(name string) slog.Handler {
	return &redactHandler{next: h.next.WithGroup(name), maskAll: h.maskAll || looksSecret(name)}
}

func (h *redactHandler) redact(a slog.Attr) slog.Attr {
	if h.maskAll {
		return maskAttr(a)
	}
	return redactAttr(a)
}

// maskAttr replaces the value of a, keeping its key, unless it is an empty
// attribute that handlers drop anyway.
func maskAttr(a slog.Attr) slog.Attr {
	if a.Equal(slog.Attr{}) {
		return a
	}
	return slog.String(a.Key, secret.Redacted)
}

func redactAttr(a slog.Attr) slog.Attr {
	a.Value = a.Value.Resolve()
	if looksSecret(a.Key) {
		return maskAttr(a)
	}
	switch a.Value.Kind() {
	case slog.KindGroup:
		members := a.Value.Group()
		out := make([]slog.Attr, len(members))
		for i, m := range members {
			out[i] = redactAttr(m)
		}
		return slog.Attr{Key: a.Key, Value: slog.GroupValue(out...)}
	case slog.KindString:
		if s := a.Value.String(); hasTokenPrefix(s) {
			return slog.String(a.Key, scrubTokens(s))
		}
	case slog.KindAny:
		if err, ok := a.Value.Any().(error); ok && err != nil {
			if s := err.Error(); hasTokenPrefix(s) {
				return slog.String(a.Key, scrubTokens(s))
			}
		}
	}
	return a
}

// looksSecret reports whether an attribute key names a secret, e.g.
// "apikey", "api_key", "Slack-Token", "db.password", "Authorization".
func looksSecret(key string) bool {
	if key == "" {
		return false
	}
	k := strings.Map(func(r rune) rune {
		switch r {
		case '_', '-', '.', ' ':
			return -1
		}
		if 'A' <= r && r <= 'Z' {
			return r + ('a' - 'A')
		}
		return r
	}, key)
	// The fragments that make a key look secret, compared after
	// lower-casing and removing separators.
	secretKeyWords := [...]string{
		"apikey", "password", "passwd", "passphrase", "token", "secret",
		"authorization", "cookie", "credential", "privatekey", "signingkey",
		"encryptionkey",
	}
	for _, w := range secretKeyWords {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}
