package store

import (
	"context"
	"encoding/json"
	"errors"
	"github.com/paasbot/paasbot/store/storetest"
	"strings"
	"testing"
	"time"
)

func TestDB_Audit(t *testing.T) {
	eachEngine(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		t.Run("OK redacts", func(t *testing.T) {
			db := openTestDB(t, e)
			params := `{"name":"blog","password":"hunter2","apikey":"AK-123","nested":{"Slack-Token":"xoxb-1","size":"s",
				"list":[{"client_secret":"cs"},{"ok":1.50}]},"ssh_key":"ssh-rsa AAA","size":"s+","quantity":12345678901234567890}`
			err := db.Audit(ctx, AuditEntry{Team: "T", Actor: "UDANA", Action: "paas.create", Target: "blog", Outcome: "approved",
				Params: json.RawMessage(params)})
			if err != nil {
				t.Fatal(err)
			}
			got, err := db.RecentAudit(ctx, "T", 10)
			if err != nil || len(got) != 1 {
				t.Fatalf("RecentAudit = %+v, %v", got, err)
			}
			e := got[0]
			if e.Team != "T" || e.Actor != "UDANA" || e.Action != "paas.create" || e.Target != "blog" || e.Outcome != "approved" || !e.At.Equal(db.clock.Now()) {
				t.Errorf("entry = %+v", e)
			}
			for _, secret := range []string{"hunter2", "AK-123", "xoxb-1", "\"cs\"", "ssh-rsa"} {
				if strings.Contains(string(e.Params), secret) {
					t.Errorf("params %s still hold %q", e.Params, secret)
				}
			}
			var back map[string]any
			if err := json.Unmarshal(e.Params, &back); err != nil {
				t.Fatal(err)
			}
			nested := back["nested"].(map[string]any)
			if back["password"] != "[redacted]" || back["name"] != "blog" || back["size"] != "s+" || nested["size"] != "s" ||
				nested["Slack-Token"] != "[redacted]" {
				t.Errorf("params after redaction: %s", e.Params)
			}
			// Numbers survive unchanged (no float rounding).
			if !strings.Contains(string(e.Params), "12345678901234567890") || !strings.Contains(string(e.Params), "1.50") {
				t.Errorf("numbers changed: %s", e.Params)
			}
		})
		t.Run("OK explicit time and no params", func(t *testing.T) {
			db := openTestDB(t, e)
			at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
			if err := db.Audit(ctx, AuditEntry{Team: "T", Actor: "U", Action: "login", At: at}); err != nil {
				t.Fatal(err)
			}
			got, _ := db.RecentAudit(ctx, "", 0)
			if len(got) != 1 || !got[0].At.Equal(at) || got[0].Params != nil {
				t.Errorf("got %+v", got)
			}
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			db := openTestDB(t, e)
			if err := db.Audit(ctx, AuditEntry{Team: "T", Actor: "U", Action: "x", Params: json.RawMessage(`{"password":"hunter2"`)}); !errors.Is(err, ErrInvalid) || strings.Contains(err.Error(), "hunter2") {
				t.Errorf("bad JSON: %v", err)
			}
			if err := db.Audit(ctx, AuditEntry{Team: "T", Action: "x"}); !errors.Is(err, ErrInvalid) {
				t.Errorf("no actor: %v", err)
			}
			if got, _ := db.RecentAudit(ctx, "", 10); len(got) != 0 {
				t.Errorf("refused entries were stored: %+v", got)
			}
		})
		t.Run("AppendOnly", func(t *testing.T) {
			db := openTestDB(t, e)
			db.Audit(ctx, AuditEntry{Team: "T", Actor: "U", Action: "x"})
			for _, q := range []string{`UPDATE audit SET outcome = 'forged'`, `DELETE FROM audit`} {
				if err := db.tryExec(q); err == nil || !strings.Contains(err.Error(), "append-only") {
					t.Errorf("%s: err = %v, want refusal", q, err)
				}
			}
		})
	})
}

func TestDB_RecentAudit(t *testing.T) {
	eachEngine(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		db := openTestDB(t, e)
		for i := range 30 {
			team := "T"
			if i%3 == 0 {
				team = "T2"
			}
			db.clock.Advance(time.Second)
			if err := db.Audit(ctx, AuditEntry{Team: team, Actor: "U", Action: "a", Target: string(rune('a' + i%26))}); err != nil {
				t.Fatal(err)
			}
		}
		tests := []struct {
			team string
			n    int
			want int
		}{{"T", 5, 5}, {"T", 0, 20}, {"T2", 100, 10}, {"", 100, 30}, {"T3", 5, 0}}
		for _, tt := range tests {
			got, err := db.RecentAudit(ctx, tt.team, tt.n)
			if err != nil || len(got) != tt.want {
				t.Errorf("RecentAudit(%q, %d) = %d entries, %v; want %d", tt.team, tt.n, len(got), err, tt.want)
				continue
			}
			for i := 1; i < len(got); i++ {
				if got[i].ID > got[i-1].ID {
					t.Errorf("not newest first: %d after %d", got[i].ID, got[i-1].ID)
				}
				if tt.team != "" && got[i].Team != tt.team {
					t.Errorf("entry of team %s in %s", got[i].Team, tt.team)
				}
			}
		}
	})
}
