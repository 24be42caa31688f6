package alerts

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/paasbot/paasbot/gandi"
	"github.com/paasbot/paasbot/internal/human"
)

// SnapshotParams tune BuildSnapshots.
type SnapshotParams struct {
	// Days: an instance whose newest snapshot is older than Days days
	// (now minus Days calendar days in the report's zone) is flagged.
	Days int
}

// Groups of the snapshots report.
const (
	GroupNoProfile = "no profile"
	GroupNoSnap    = "no snapshot"
	GroupStale     = "stale"
	GroupHealthy   = "ok"
)

// BuildSnapshots shows, per instance, its snapshot profile (or "none"),
// its number of snapshots, the date of the newest (in loc; nil: UTC) and
// their total size. Snapshots are linked to instances by Source.PaasID;
// snapshots of unknown instances are ignored.
//
// Listed: instances with no profile, then those with a profile but no
// snapshot, then those whose newest snapshot is older than p.Days (oldest
// first). A report lists what needs attention, not what is fine (DESIGN
// §6): a note counts the healthy instances. The report is Empty when
// nothing is flagged. Deleted instances are left out.
//
// Sizes are shown as the API sends them; the reference gives no unit, and
// Gandi's hosting API counts disks in megabytes, hence "MB".
func BuildSnapshots(instances []gandi.Instance, snapshots []gandi.Snapshot, now time.Time, loc *time.Location, p SnapshotParams) Report {
	loc = orUTC(loc)
	r := Report{
		Kind:        KindSnapshots,
		Title:       fmt.Sprintf("Snapshots report: instances without a snapshot profile or a snapshot newer than %s", plural(p.Days, "day", "days")),
		GroupColumn: "status",
		Columns:     []string{"instance", "id", "profile", "snapshots", "newest", "age", "total size"},
		Align:       []bool{false, true, false, true, false, false, true},
		Hint:        "Set a profile with `/paas update <name> snapshot-profile=<id>` (asks for approval); see what is kept with `/paas snapshot list <name>`.",
		EmptyText:   fmt.Sprintf("Nothing to report: every instance has a snapshot profile and a snapshot newer than %s.", plural(p.Days, "day", "days")),
		ListHint:    "`/paas list` lists every instance, and `/paas info <name>` shows its snapshot profile",
	}
	type stat struct {
		count  int
		size   int64
		newest time.Time
	}
	stats := make(map[int]*stat, len(instances))
	for i := range instances {
		stats[instances[i].ID] = &stat{}
	}
	for i := range snapshots {
		sn := &snapshots[i]
		if sn.Source == nil {
			continue
		}
		st := stats[sn.Source.PaasID]
		if st == nil {
			continue
		}
		st.count++
		st.size += int64(sn.Size)
		if sn.DateCreated != nil && sn.DateCreated.After(st.newest) {
			st.newest = *sn.DateCreated
		}
	}
	cutoff := now.In(loc).AddDate(0, 0, -p.Days)

	type row struct {
		in    *gandi.Instance
		st    *stat
		group string
		rank  int
	}
	var rows []row
	for i := range instances {
		in := &instances[i]
		if gone(*in) {
			continue
		}
		st := stats[in.ID]
		rw := row{in: in, st: st, group: GroupHealthy, rank: 3}
		switch {
		case in.SnapshotProfile == nil:
			rw.group, rw.rank = GroupNoProfile, 0
		case st.newest.IsZero():
			rw.group, rw.rank = GroupNoSnap, 1
		case st.newest.Before(cutoff):
			rw.group, rw.rank = GroupStale, 2
		}
		rows = append(rows, rw)
	}
	slices.SortFunc(rows, func(a, b row) int {
		if c := cmp.Compare(a.rank, b.rank); c != 0 {
			return c
		}
		if a.group == GroupStale {
			if c := a.st.newest.Compare(b.st.newest); c != 0 {
				return c
			}
		}
		if c := strings.Compare(a.in.Name, b.in.Name); c != 0 {
			return c
		}
		return cmp.Compare(a.in.ID, b.in.ID)
	})
	flagged, healthy := 0, 0
	for _, rw := range rows {
		if rw.group == GroupHealthy {
			healthy++
		} else {
			flagged++
		}
	}
	counts := map[string]int{}
	for _, rw := range rows {
		counts[rw.group]++
		if rw.group == GroupHealthy {
			continue
		}
		profile, newest, age := "none", "-", "-"
		if sp := rw.in.SnapshotProfile; sp != nil {
			profile = sp.Name
			if profile == "" {
				profile = "#" + strconv.Itoa(sp.ID)
			}
		}
		if !rw.st.newest.IsZero() {
			newest = formatDate(rw.st.newest, loc)
			age = agoText(-human.DayDiff(now, rw.st.newest, loc))
		}
		it := Item{ID: rw.in.ID, Name: rw.in.Name, Cells: []string{
			rw.in.Name, strconv.Itoa(rw.in.ID), profile, strconv.Itoa(rw.st.count), newest, age,
			formatMB(rw.st.size)}}
		if len(r.Groups) == 0 || r.Groups[len(r.Groups)-1].Name != rw.group {
			r.Groups = append(r.Groups, Group{Name: rw.group})
		}
		r.Groups[len(r.Groups)-1].Items = append(r.Groups[len(r.Groups)-1].Items, it)
	}
	if healthy > 0 {
		r.Notes = append(r.Notes, fmt.Sprintf("%s with a profile and a snapshot newer than %s %s not listed.",
			plural(healthy, "instance", "instances"), plural(p.Days, "day", "days"), isAre(healthy)))
	}
	r.Empty = flagged == 0
	if !r.Empty {
		var parts []string
		for _, g := range []string{GroupNoProfile, GroupNoSnap, GroupStale} {
			if n := counts[g]; n > 0 {
				parts = append(parts, fmt.Sprintf("%s %d", g, n))
			}
		}
		r.Summary = fmt.Sprintf("%s of %d need%s attention (%s). Dates are in %s.",
			plural(flagged, "instance", "instances"), len(rows), sIfOne(flagged), strings.Join(parts, ", "), loc)
	}
	return r
}

// formatMB writes a size in megabytes with thousands separators.
func formatMB(mb int64) string {
	s := strconv.FormatInt(mb, 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 && s[i-1] != '-' {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String() + " MB"
}
