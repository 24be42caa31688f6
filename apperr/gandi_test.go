package apperr

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/paasbot/paasbot/gandi"
)

func TestFromGandi(t *testing.T) {
	slow := &gandi.RateLimitError{Method: "paas.list", RetryAfter: 4200 * time.Millisecond, Attempts: 3,
		Err: &gandi.HTTPError{Method: "paas.list", StatusCode: 429}}
	tests := []struct {
		name     string
		err      error
		wantCode Code
		wantMsg  string
	}{
		{"bad key", &gandi.Fault{Code: 510150, Message: "Error on object : OBJECT_ACCOUNT (CAUSE_NORIGHT) [Invalid API key]"}, EUNAUTHORIZED, "Your API key was refused: run `/paas login` again."},
		{"not found", &gandi.Fault{Code: 537542, Message: "Error on object : OBJECT_PAAS (CAUSE_NOTFOUND) [Paas '42' doesn't exist.]"}, ENOTFOUND, "No instance 42 in your account."},
		{"no credit", &gandi.Fault{Code: 530040, Message: "no credit"}, ECONFLICT, "Not enough prepaid credit"},
		{"rate limited", slow, EUNAVAILABLE, "Gandi asks to slow down; try again in 5 s."},
		{"too many, bare fault", &gandi.Fault{Code: 510199, Message: "Error on object : OBJECT_ACCOUNT (CAUSE_TOOMANY) [slow down]"}, EUNAVAILABLE, "Gandi asks to slow down; try again in 60 s."},
		{"http 429 with Retry-After", &gandi.HTTPError{Method: "paas.list", StatusCode: 429, RetryAfter: 2 * time.Second}, EUNAVAILABLE, "Gandi asks to slow down; try again in 2 s."},
		{"http 500 page", &gandi.HTTPError{Method: "paas.list", StatusCode: 500}, EUNAVAILABLE, "Gandi sent an answer paasbot could not read (HTTP 500); try again in a minute."},
		{"decode", &gandi.DecodeError{Method: "paas.list", Err: errors.New("bad xml")}, EUNAVAILABLE, "Gandi sent an answer paasbot could not read; try again in a minute."},
		{"transport", &gandi.TransportError{Method: "paas.list", Err: errors.New("connection refused")}, EUNAVAILABLE, "Gandi is not answering right now; try again in a minute."},
		{"deadline", fmt.Errorf("call: %w", context.DeadlineExceeded), EUNAVAILABLE, "Gandi is not answering right now"},
		{"bad state", &gandi.Fault{Code: 537560, Message: "Error on object : OBJECT_PAAS (CAUSE_STATE) [being created]"}, ECONFLICT, "being created"},
		{"bad parameter", &gandi.Fault{Code: 537537, Message: "Error on object : OBJECT_PAAS (CAUSE_BADPARAMETER) [size is wrong]"}, EINVALID, "Gandi refused the request: size is wrong."},
		{"unmapped data fault", &gandi.Fault{Code: 581234, Message: "Error on object : OBJECT_812 (CAUSE_34) [Quota of vhosts reached]"}, EINVALID, "Gandi says: Quota of vhosts reached (fault 581234)."},
		{"unmapped server fault", &gandi.Fault{Code: 150000, Message: "Internal Server Error"}, EUNAVAILABLE, "Gandi says: Internal Server Error (fault 150000)."},
		{"not Gandi's", errors.New("a bug"), EINTERNAL, ""},
		{"already ours", Errorf(EINVALID, "mine"), EINVALID, "mine"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := FromGandi(tt.err, "no instance 42 in your account")
			if CodeOf(err) != tt.wantCode {
				t.Fatalf("code = %s, want %s (%v)", CodeOf(err), tt.wantCode, err)
			}
			msg := Message(t.Context(), nil, "test", err)
			if tt.wantCode == EINTERNAL {
				if !strings.HasPrefix(msg, "internal error (ref ") || strings.Contains(msg, "a bug") {
					t.Errorf("internal error shown as %q", msg)
				}
				return
			}
			if !strings.Contains(msg, tt.wantMsg) {
				t.Errorf("message %q lacks %q", msg, tt.wantMsg)
			}
			if !errors.Is(err, tt.err) && tt.name != "already ours" {
				t.Errorf("the cause is lost: %v", err)
			}
		})
	}
	if FromGandi(nil, "") != nil {
		t.Error("nil error mapped to non-nil")
	}
}

// TestMessage_RefIsInTheLog: the ref a person sees is the ref of the
// log line holding the detail, each time an error is formatted.
func TestMessage_RefIsInTheLog(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	cause := fmt.Errorf("store: %w", errors.New("disk I/O error with key test0000key0000000000001"))
	for i := range 2 {
		msg := Message(t.Context(), log, "something failed", cause, "command", "list")
		ref := strings.TrimSuffix(strings.TrimPrefix(strings.SplitN(msg, ")", 2)[0], "internal error (ref "), ")")
		lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
		if len(lines) != i+1 {
			t.Fatalf("%d log lines after %d formats, want one each", len(lines), i+1)
		}
		var rec map[string]any
		if err := json.Unmarshal([]byte(lines[i]), &rec); err != nil {
			t.Fatal(err)
		}
		if rec["ref"] != ref || rec["msg"] != "something failed" || rec["command"] != "list" || rec["level"] != "ERROR" ||
			!strings.Contains(rec["err"].(string), "disk I/O error") {
			t.Errorf("shown %q, logged %v: the ref shown must be the log line's", msg, rec)
		}
		if strings.Contains(lines[i], "test0000key0000000000001") || strings.Contains(msg, "disk") {
			t.Errorf("a key in the log or the detail in the message: %s / %s", lines[i], msg)
		}
	}
	// A message for people logs nothing; a ref already chosen is kept.
	logs.Reset()
	if msg := Message(t.Context(), log, "x", Errorf(EINVALID, "Bad size.")); msg != "Bad size." || logs.Len() != 0 {
		t.Errorf("refusal shown %q, logged %q", msg, logs.String())
	}
	if msg := Message(t.Context(), log, "x", &Error{Code: EINTERNAL, Ref: "cafe0001", Err: cause}); !strings.Contains(msg, "ref cafe0001") ||
		!strings.Contains(logs.String(), `"ref":"cafe0001"`) {
		t.Errorf("ref not kept: %q / %s", msg, logs.String())
	}
}

// TestError_ChainReadsOnce: no empty message, no repeated prefix.
func TestError_ChainReadsOnce(t *testing.T) {
	_, err := gandi.NewClient("test0000key0000000000001", gandi.WithEndpoint("http://127.0.0.1:1/xmlrpc/")).PaaS.List(t.Context(), nil)
	for _, e := range []error{
		FromGandi(errors.New("boom"), ""),
		FromGandi(err, ""),
		&Error{Code: EINTERNAL, Err: fmt.Errorf("load API key: %w", errors.New("locked"))},
	} {
		s := e.Error()
		if strings.Contains(s, ": :") || strings.Contains(s, "gandi: gandi:") || strings.Contains(s, "internal: :") {
			t.Errorf("error reads %q", s)
		}
	}
	if s := FromGandi(errors.New("boom"), "").Error(); s != "internal: boom" {
		t.Errorf("internal error reads %q, want \"internal: boom\"", s)
	}
}
