package store

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func TestParseSecret(t *testing.T) {
	raw := bytes.Repeat([]byte{0xfb}, 32) // 0xfb makes '+', '/' in std and '-', '_' in url encoding
	tests := []struct {
		name    string
		in      string
		wantErr string
	}{
		{"std", base64.StdEncoding.EncodeToString(raw), ""},
		{"std raw", base64.RawStdEncoding.EncodeToString(raw), ""},
		{"url", base64.URLEncoding.EncodeToString(raw), ""},
		{"url raw", base64.RawURLEncoding.EncodeToString(raw), ""},
		{"surrounding space", " " + base64.StdEncoding.EncodeToString(raw) + "\n", ""},
		{"empty", "", "is empty"},
		{"too short", base64.StdEncoding.EncodeToString(raw[:16]), "exactly 32 bytes, got 16"},
		{"too long", base64.StdEncoding.EncodeToString(append(raw, 1)), "exactly 32 bytes, got 33"},
		{"not base64", "this is not base64 at all!!", "is not valid base64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ParseSecret(tt.in)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("ParseSecret: %v", err)
				}
				if !bytes.Equal(s.k[:], raw) {
					t.Errorf("decoded %x, want %x", s.k[:], raw)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
			}
			if tt.in != "" && strings.Contains(err.Error(), strings.TrimSpace(tt.in)) {
				t.Errorf("error %q echoes the value", err)
			}
			if got := errors.Is(err, ErrNoSecret); got != (tt.in == "") {
				t.Errorf("errors.Is(err, ErrNoSecret) = %v for %q", got, tt.in)
			}
		})
	}
}

func TestSecret_Redacted(t *testing.T) {
	s, b64, err := NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	var logBuf bytes.Buffer
	slog.New(slog.NewTextHandler(&logBuf, nil)).Info("x", "secret", s)
	outs := []string{
		fmt.Sprint(s), fmt.Sprintf("%v %+v %#v %s %x %q", s, s, s, s, s, s), s.String(), logBuf.String(),
		fmt.Sprintf("%v", struct{ S Secret }{s}),
	}
	hexForm := fmt.Sprintf("%x", s.k[:])
	for _, out := range outs {
		if strings.Contains(out, b64) || strings.Contains(out, hexForm) || !strings.Contains(out, "[redacted]") {
			t.Errorf("output %q is not redacted", out)
		}
	}
	back, err := ParseSecret(b64)
	if err != nil || !back.Equal(s) {
		t.Errorf("NewSecret's base64 does not parse back to it: %v", err)
	}
	other := mustSecret(t)
	if other.Equal(s) || (Secret{}).Equal(s) || !(Secret{}).Equal(Secret{}) {
		t.Error("Equal is wrong")
	}
}
