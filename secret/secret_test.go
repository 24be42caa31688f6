package secret

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

const rawSecret = "s3cr3t-API-key-0123456789"

// credentials mimics a struct another package might print by mistake.
type credentials struct {
	User   string
	APIKey Value
	Nested struct{ Password Value }
	Ptr    *Value
}

func TestValue_NeverPrintsViaFmt(t *testing.T) {
	s := Value(rawSecret)
	c := credentials{User: "dana", APIKey: s, Ptr: &s}
	c.Nested.Password = s
	formats := []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10s", "%-8v", "%T %v"}
	for _, f := range formats {
		for name, v := range map[string]any{"bare": s, "struct": c, "pointer to struct": &c, "slice": []Value{s}, "map": map[string]Value{"k": s}} {
			t.Run(name+" "+f, func(t *testing.T) {
				got := fmt.Sprintf(f, v)
				if strings.Contains(got, rawSecret) || strings.Contains(got, fmt.Sprintf("%x", rawSecret)) {
					t.Fatalf("Sprintf(%q) = %q leaks the secret", f, got)
				}
			})
		}
	}
	for name, got := range map[string]string{
		"String":   s.String(),
		"GoString": s.GoString(),
		"Sprint":   fmt.Sprint(s),
		"Sprintln": fmt.Sprintln(s),
	} {
		if !strings.Contains(got, Redacted) {
			t.Errorf("%s = %q, want %q", name, got, Redacted)
		}
	}
	if got := fmt.Sprintf("%+v", c); !strings.Contains(got, "dana") || !strings.Contains(got, Redacted) {
		t.Errorf("%%+v of the struct = %q, want the user and the placeholder", got)
	}
}

func TestValue_Reveal(t *testing.T) {
	if got := Value(rawSecret).Reveal(); got != rawSecret {
		t.Errorf("Reveal() = %q, want the value", got)
	}
	if !Value("").IsZero() || Value("x").IsZero() {
		t.Error("IsZero is wrong")
	}
}

func TestValue_NeverPrintsViaJSON(t *testing.T) {
	c := credentials{User: "dana", APIKey: Value(rawSecret)}
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, []byte(rawSecret)) || !bytes.Contains(b, []byte(Redacted)) {
		t.Errorf("json.Marshal = %s", b)
	}
}

// The plain slog handlers, without the redacting wrapper: Value redacts
// itself.
func TestValue_NeverPrintsViaSlog(t *testing.T) {
	s := Value(rawSecret)
	c := credentials{User: "dana", APIKey: s}
	for _, tc := range []struct {
		name string
		h    func(*bytes.Buffer) slog.Handler
	}{
		{"text", func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) }},
		{"json", func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			l := slog.New(tc.h(&buf))
			l.Info("login", "value", s, "struct", c, "ptr", &c, slog.Group("g", "v", s), slog.Any("any", s))
			l.With("with", s).Info("with")
			out := buf.String()
			if strings.Contains(out, rawSecret) {
				t.Fatalf("log leaks the secret:\n%s", out)
			}
			if n := strings.Count(out, Redacted); n < 6 {
				t.Errorf("placeholder appears %d times, want ≥ 6:\n%s", n, out)
			}
		})
	}
}
