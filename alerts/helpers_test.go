package alerts

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paasbot/paasbot/gandi"
	"github.com/paasbot/paasbot/reply"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

func paris(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// at builds a time in loc.
func at(loc *time.Location, y int, mo time.Month, d, h, mi int) time.Time {
	return time.Date(y, mo, d, h, mi, 0, 0, loc)
}

func tp(t time.Time) *time.Time { return &t }

// inst is a compact instance constructor for tables.
func inst(id int, name string, end *time.Time) gandi.Instance {
	return gandi.Instance{ID: id, Name: name, DateEnd: end, Size: gandi.SizeS, Type: "phpmysql", State: gandi.StateRunning}
}

// names lists the item names of r in report order, prefixed by their group.
func names(r Report) []string {
	var out []string
	for _, g := range r.Groups {
		for _, it := range g.Items {
			out = append(out, g.Name+":"+it.Name)
		}
	}
	return out
}

// plainText renders messages the way a terminal would: enough to compare
// whole reports against golden files.
func plainText(msgs []reply.Message) string {
	var b strings.Builder
	for i, m := range msgs {
		if i > 0 {
			b.WriteString("----\n")
		}
		if m.Title != "" {
			b.WriteString("# " + m.Title + "\n")
		}
		if m.Text != "" {
			b.WriteString(m.Text + "\n")
		}
		if t := m.Table; t != nil {
			w := make([]int, len(t.Columns))
			for c := range t.Columns {
				w[c] = len([]rune(t.Columns[c]))
				for _, r := range t.Rows {
					w[c] = max(w[c], len([]rune(r[c])))
				}
			}
			line := func(cells []string) {
				var parts []string
				for c, s := range cells {
					pad := strings.Repeat(" ", w[c]-len([]rune(s)))
					if c < len(t.Align) && t.Align[c] {
						parts = append(parts, pad+s)
					} else {
						parts = append(parts, s+pad)
					}
				}
				b.WriteString(strings.TrimRight(strings.Join(parts, "  "), " ") + "\n")
			}
			line(t.Columns)
			for _, r := range t.Rows {
				line(r)
			}
		}
		for _, n := range m.Notes {
			b.WriteString("> " + n + "\n")
		}
		for _, bt := range m.Buttons {
			b.WriteString("[" + bt.Label + "] " + bt.Action + ": " + bt.Value + "\n")
		}
	}
	return b.String()
}

// golden compares got with testdata/name, rewriting it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the golden file (run with -update after checking):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}
