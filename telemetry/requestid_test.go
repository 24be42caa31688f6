package telemetry

import (
	"bytes"
	"context"
	"log/slog"
	"regexp"
	"testing"
)

func TestRequestID_Context(t *testing.T) {
	ctx := context.Background()
	if got := RequestID(ctx); got != "" {
		t.Errorf("RequestID(empty ctx) = %q", got)
	}
	ctx = WithRequestID(ctx, "abc123")
	if got := RequestID(ctx); got != "abc123" {
		t.Errorf("RequestID = %q, want abc123", got)
	}
	var nilCtx context.Context
	if got := RequestID(nilCtx); got != "" {
		t.Errorf("RequestID(nil) = %q", got)
	}
}

func TestNewRequestID(t *testing.T) {
	shape := regexp.MustCompile(`^[0-9a-f]{12}$`)
	seen := map[string]bool{}
	for range 1000 {
		id := NewRequestID()
		if !shape.MatchString(id) {
			t.Fatalf("NewRequestID() = %q, want 12 hex digits", id)
		}
		if seen[id] {
			t.Fatalf("NewRequestID() repeated %q", id)
		}
		seen[id] = true
	}
}

func TestRequestIDHandler_EveryRecordWithContext(t *testing.T) {
	var buf bytes.Buffer
	l, err := NewLogger(&buf, "json", "debug")
	if err != nil {
		t.Fatal(err)
	}
	ctx := WithRequestID(context.Background(), "r-42")
	l.DebugContext(ctx, "one")
	l.InfoContext(ctx, "two", "k", "v")
	l.With("component", "bot").WarnContext(ctx, "three")
	l.Log(ctx, slog.LevelError, "four")
	l.Info("no context")
	l.InfoContext(context.Background(), "context without id")

	recs := decodeJSONLines(t, buf.Bytes())
	if len(recs) != 6 {
		t.Fatalf("got %d records, want 6:\n%s", len(recs), buf.String())
	}
	for _, r := range recs[:4] {
		if r[RequestIDKey] != "r-42" {
			t.Errorf("record %q: request_id = %v, want r-42", r["msg"], r[RequestIDKey])
		}
	}
	for _, r := range recs[4:] {
		if _, ok := r[RequestIDKey]; ok {
			t.Errorf("record %q has a request_id", r["msg"])
		}
	}
	if recs[2]["component"] != "bot" {
		t.Errorf("With attrs lost: %v", recs[2])
	}
}
