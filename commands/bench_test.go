package commands

import (
	"context"
	"testing"

	"github.com/paasbot/paasbot/reply"
)

// BenchmarkParse measures reading a typical Slack line (quotes, escapes,
// a link).
func BenchmarkParse(b *testing.B) {
	text := `list state=running &lt;date_end=2026-12-31 ~name=shop sort="date_end desc" <#C123|ops> --share`
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(text); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHandleList measures a whole `list` (parse, key from SQLite,
// paas.count and paas.list over HTTP to the simulator with 100 instances,
// table) as a user waits for it.
func BenchmarkHandleList(b *testing.B) {
	e := setupB(b, 100)
	req := Request{Team: testTeam, User: alice, Channel: "C1", Text: "list sort=date_end"}
	b.ReportAllocs()
	for b.Loop() {
		if m := e.core.Handle(context.Background(), req); m.Tone == reply.Error {
			b.Fatal(m.Text)
		}
	}
}
