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
	"github.com/paasbot/paasbot/reply"
)

// ExpiryParams tune BuildExpiry.
type ExpiryParams struct {
	// Days is the horizon in calendar days of the report's zone: an
	// instance is listed when its date_end is at most Days days after
	// today (0: today only). Expired instances are always listed.
	Days int
}

// The groups of the expiry report, most urgent first.
const (
	GroupExpired = "expired"
	Group7Days   = "≤ 7 days"
	Group30Days  = "≤ 30 days"
	GroupLater   = "later"
)

// RenewDuration is the duration the renew buttons propose.
const RenewDuration = "12m"

// BuildExpiry lists the instances whose date_end falls within p.Days
// calendar days of now in loc (nil: UTC), expired ones included, most
// urgent first (earliest date_end; ties by name then id), grouped
// "expired" (date_end not after now), "≤ 7 days", "≤ 30 days" and "later".
// Each row shows the date in loc with its zone, how far it is, the size,
// the type and, when date_end_commitment is after now, "fixed until …".
//
// Instances without a date_end (nil) are not listed: a note names them.
// Deleted instances and those being deleted are left out. Each listed
// instance gets a "Renew" button running `renew <id> duration=12m`, which
// starts the approval flow for whoever clicks it.
func BuildExpiry(instances []gandi.Instance, now time.Time, loc *time.Location, p ExpiryParams) Report {
	loc = orUTC(loc)
	r := Report{
		Kind:        KindExpiry,
		Title:       fmt.Sprintf("Expiry report: instances expiring within %s", plural(p.Days, "day", "days")),
		GroupColumn: "status",
		Columns:     []string{"instance", "id", "expires", "when", "size", "type", "subscription"},
		Align:       []bool{false, true, false, false, false, false, false},
		Hint:        fmt.Sprintf("Renew with `/paas renew <name> duration=%s` or its Renew button, which opens the form; a renewal costs money and asks for approval.", RenewDuration),
		EmptyText:   fmt.Sprintf("Nothing to report: no instance expires within %s.", plural(p.Days, "day", "days")),
		ListHint:    fmt.Sprintf("`/paas list expires-within=%dd sort=date_end` lists them all", p.Days),
	}
	type cand struct {
		in   *gandi.Instance
		end  time.Time
		days int
	}
	var list []cand
	var noDate []string
	for i := range instances {
		in := &instances[i]
		if gone(*in) {
			continue
		}
		if in.DateEnd == nil || in.DateEnd.IsZero() {
			noDate = append(noDate, in.Name)
			continue
		}
		end := *in.DateEnd
		d := human.DayDiff(now, end, loc)
		if end.After(now) && d > p.Days {
			continue
		}
		list = append(list, cand{in: in, end: end, days: d})
	}
	slices.SortFunc(list, func(a, b cand) int {
		if c := a.end.Compare(b.end); c != 0 {
			return c
		}
		if c := strings.Compare(a.in.Name, b.in.Name); c != 0 {
			return c
		}
		return cmp.Compare(a.in.ID, b.in.ID)
	})

	groups := map[string]int{}
	for _, c := range list {
		g := GroupLater
		when := untilText(c.days)
		switch {
		case !c.end.After(now):
			g, when = GroupExpired, "expired "+agoText(-c.days)
		case c.days <= 7:
			g = Group7Days
		case c.days <= 30:
			g = Group30Days
		}
		commit := "-"
		if ce := c.in.DateEndCommitment; ce != nil && !ce.IsZero() && ce.After(now) {
			commit = "fixed until " + formatDay(*ce, loc)
		}
		it := Item{
			ID: c.in.ID, Name: c.in.Name,
			Cells: []string{c.in.Name, strconv.Itoa(c.in.ID), formatDate(c.end, loc), when,
				string(c.in.Size), string(c.in.Type), commit},
			Button: renewButton(c.in.ID, c.in.Name),
		}
		if len(r.Groups) == 0 || r.Groups[len(r.Groups)-1].Name != g {
			r.Groups = append(r.Groups, Group{Name: g})
		}
		r.Groups[len(r.Groups)-1].Items = append(r.Groups[len(r.Groups)-1].Items, it)
		groups[g]++
	}
	if len(noDate) > 0 {
		slices.Sort(noDate)
		r.Notes = append(r.Notes, fmt.Sprintf("%s no expiry date and %s not listed: %s.",
			plural(len(noDate), "instance has", "instances have"), isAre(len(noDate)), nameList(noDate, 10)))
	}
	r.Empty = len(list) == 0
	if !r.Empty {
		var parts []string
		for _, g := range []string{GroupExpired, Group7Days, Group30Days, GroupLater} {
			if n := groups[g]; n > 0 {
				parts = append(parts, fmt.Sprintf("%s %d", g, n))
			}
		}
		r.Summary = fmt.Sprintf("%s to renew (%s). Dates are in %s.",
			plural(len(list), "instance", "instances"), strings.Join(parts, ", "), loc)
	}
	return r
}

func isAre(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}

// renewButton opens the renew form of instance id (DESIGN §9): the core
// runs Value, `renew <id>` without a duration, as a command typed by
// whoever clicks, which answers with the form, and its submission goes
// through approval. In the shell, which shows no form, Command proposes a
// RenewDuration renewal.
func renewButton(id int, name string) *reply.Button {
	return &reply.Button{Label: "Renew " + name, Action: "cmd", Value: fmt.Sprintf("renew %d", id),
		Command: fmt.Sprintf("renew %d duration=%s", id, RenewDuration)}
}
