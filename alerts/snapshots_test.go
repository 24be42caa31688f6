package alerts

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paasbot/paasbot/gandi"
)

func snap(id, paasID int, created time.Time, size int) gandi.Snapshot {
	return gandi.Snapshot{ID: id, DateCreated: &created, Size: size, Source: &gandi.SnapshotSource{PaasID: paasID}}
}

func TestBuildSnapshots(t *testing.T) {
	loc := paris(t)
	now := at(loc, 2026, 11, 22, 9, 0)
	profile := &gandi.SnapshotProfile{ID: 7, Name: "daily-7"}
	withProfile := func(id int, name string) gandi.Instance {
		in := inst(id, name, nil)
		in.SnapshotProfile = profile
		return in
	}
	noProfile := inst(1, "no-profile", nil)
	fresh := withProfile(2, "fresh")
	stale := withProfile(3, "stale")
	staler := withProfile(4, "staler")
	empty := withProfile(5, "no-snap")
	edge := withProfile(6, "edge") // newest exactly 7 days ago: not stale
	deleted := inst(7, "deleted", nil)
	deleted.State = gandi.StateDeleted
	noProfileWithSnaps := inst(8, "orphan-snaps", nil)

	snaps := []gandi.Snapshot{
		snap(100, 2, at(loc, 2026, 11, 22, 3, 0), 1000),
		snap(101, 2, at(loc, 2026, 11, 21, 3, 0), 1200),
		snap(102, 3, at(loc, 2026, 11, 10, 3, 0), 500),
		snap(103, 4, at(loc, 2026, 11, 1, 3, 0), 500),
		snap(104, 6, at(loc, 2026, 11, 15, 9, 0), 2500),
		snap(105, 8, at(loc, 2026, 11, 21, 3, 0), 10),
		snap(106, 999, at(loc, 2026, 11, 21, 3, 0), 10), // unknown instance: ignored
		{ID: 107, Size: 5}, // no source: ignored
	}
	r := BuildSnapshots([]gandi.Instance{fresh, stale, noProfile, staler, empty, edge, deleted, noProfileWithSnaps},
		snaps, now, loc, SnapshotParams{Days: 7})
	want := []string{"no profile:no-profile", "no profile:orphan-snaps", "no snapshot:no-snap",
		"stale:staler", "stale:stale"}
	if got := names(r); !slices.Equal(got, want) {
		t.Errorf("items:\n got %q\nwant %q", got, want)
	}
	if r.Empty {
		t.Error("Empty with flagged instances")
	}
	cells := map[string][]string{}
	for _, g := range r.Groups {
		for _, it := range g.Items {
			cells[it.Name] = it.Cells
		}
	}
	// instance, id, profile, snapshots, newest, age, total size
	wantCells := map[string][]string{
		"stale":        {"stale", "3", "daily-7", "1", "Tue 2026-11-10 03:00 CET", "12 days ago", "500 MB"},
		"no-snap":      {"no-snap", "5", "daily-7", "0", "-", "-", "0 MB"},
		"orphan-snaps": {"orphan-snaps", "8", "none", "1", "Sat 2026-11-21 03:00 CET", "yesterday", "10 MB"},
	}
	for n, w := range wantCells {
		if !slices.Equal(cells[n], w) {
			t.Errorf("%s:\n got %q\nwant %q", n, cells[n], w)
		}
	}
	if !strings.HasPrefix(r.Summary, "5 instances of 7 need attention (no profile 2, no snapshot 1, stale 2)") {
		t.Errorf("summary = %q", r.Summary)
	}
	// What is fine is counted, not listed (DESIGN §6).
	if len(r.Notes) != 1 || !strings.HasPrefix(r.Notes[0], "2 instances with a profile and a snapshot newer than 7 days are not listed") {
		t.Errorf("notes = %q", r.Notes)
	}
	if got := formatMB(2200); got != "2,200 MB" {
		t.Errorf("formatMB(2200) = %q", got)
	}
	golden(t, "snapshots.txt", plainText(r.Posting().Messages()))
}

func TestBuildSnapshots_EmptyAndManyHealthy(t *testing.T) {
	loc := paris(t)
	now := at(loc, 2026, 11, 22, 9, 0)
	var ins []gandi.Instance
	var snaps []gandi.Snapshot
	for i := 1; i <= 52; i++ {
		in := inst(i, fmt.Sprintf("site-%03d", i), nil)
		in.SnapshotProfile = &gandi.SnapshotProfile{ID: 1}
		ins = append(ins, in)
		snaps = append(snaps, snap(1000+i, i, now.Add(-time.Hour), 1))
	}
	r := BuildSnapshots(ins, snaps, now, loc, SnapshotParams{Days: 1})
	if !r.Empty || len(r.Groups) != 0 {
		t.Fatalf("all healthy: Empty=%v groups=%d", r.Empty, len(r.Groups))
	}
	if len(r.Notes) != 1 || !strings.HasPrefix(r.Notes[0], "52 instances with a profile") {
		t.Errorf("notes = %q", r.Notes)
	}
	if p := r.Posting(); len(p.Replies) != 0 || !strings.HasPrefix(p.Head.Text, "Nothing to report") {
		t.Errorf("empty rendering = %+v", p)
	}
	// One flagged instance among many healthy ones: the healthy are counted, not listed.
	ins[0].SnapshotProfile = nil
	r = BuildSnapshots(ins, snaps, now, loc, SnapshotParams{Days: 1})
	if got := names(r); !slices.Equal(got, []string{"no profile:site-001"}) {
		t.Errorf("items = %q", got)
	}
	// The profile shows by id when it has no name.
	ins[1].SnapshotProfile = &gandi.SnapshotProfile{ID: 9}
	snaps[1] = snap(2000, 2, now.AddDate(0, 0, -3), 1)
	r = BuildSnapshots(ins[:2], snaps, now, loc, SnapshotParams{Days: 1})
	if got := r.Groups[1].Items[0].Cells[2]; got != "#9" { // stale, shown by id
		t.Errorf("unnamed profile shown as %q", got)
	}
}

func TestBuildUpgrade(t *testing.T) {
	loc := paris(t)
	now := at(loc, 2026, 11, 22, 9, 0)
	a := inst(3, "b-site", tp(at(loc, 2027, 1, 1, 0, 0)))
	a.NeedUpgrade = true
	b := inst(2, "a-site", nil)
	b.NeedUpgrade, b.Type = true, "nodejs"
	c := inst(1, "current", nil)
	d := inst(4, "deleted", nil)
	d.NeedUpgrade, d.State = true, gandi.StateDeleted
	r := BuildUpgrade([]gandi.Instance{a, b, c, d}, now, loc, UpgradeParams{})
	if got := names(r); !slices.Equal(got, []string{"needs upgrade:a-site", "needs upgrade:b-site"}) {
		t.Errorf("items = %q", got)
	}
	it := r.Groups[0].Items[0]
	if !slices.Equal(it.Cells, []string{"a-site", "2", "nodejs", "s", "running", "-"}) {
		t.Errorf("cells = %q", it.Cells)
	}
	if it.Button == nil || it.Button.Value != "update 2 upgrade" || it.Button.Action != "cmd" || it.Button.Label != "Upgrade a-site" {
		t.Errorf("button = %+v", it.Button)
	}
	golden(t, "upgrade.txt", plainText(r.Posting().Messages()))

	r = BuildUpgrade([]gandi.Instance{c}, now, loc, UpgradeParams{})
	if !r.Empty || !strings.Contains(r.Posting().Head.Text, "Nothing to report") {
		t.Errorf("no upgrade needed: Empty=%v %q", r.Empty, r.Posting().Head.Text)
	}
}
