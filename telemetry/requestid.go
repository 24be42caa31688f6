package telemetry

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
)

// RequestIDKey is the attribute key under which the request id is logged.
const RequestIDKey = "request_id"

type requestIDKey struct{}

// WithRequestID returns a context carrying id. Transports call it once per
// incoming command (a Slack envelope, a shell line) so that every log line
// written while serving it, in any package, carries the same id.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID returns the id stored by WithRequestID, or "".
func RequestID(ctx context.Context) string {
	if ctx == nil {
		return ""
	}
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// NewRequestID returns a short random id (12 hex digits) suitable for
// showing to a person as an error reference and grepping in the logs.
func NewRequestID() string {
	var b [6]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go ≥ 1.24).
	return hex.EncodeToString(b[:])
}

// NewRequestIDHandler wraps next so that every record logged with a
// context holding a request id (logger.InfoContext(ctx, …)) gets a
// "request_id" attribute. Records logged without a context, or with one
// that has no id, are passed through unchanged. Under a logger.WithGroup
// the attribute is qualified by the group, as any attribute would be.
func NewRequestIDHandler(next slog.Handler) slog.Handler {
	return &requestIDHandler{next: next}
}

type requestIDHandler struct{ next slog.Handler }

func (h *requestIDHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.next.Enabled(ctx, l)
}

func (h *requestIDHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := RequestID(ctx); id != "" {
		r = r.Clone()
		r.AddAttrs(slog.String(RequestIDKey, id))
	}
	return h.next.Handle(ctx, r)
}

func (h *requestIDHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &requestIDHandler{next: h.next.WithAttrs(attrs)}
}

func (h *requestIDHandler) WithGroup(name string) slog.Handler {
	return &requestIDHandler{next: h.next.WithGroup(name)}
}
