package alerts

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/paasbot/paasbot/gandi"
	"github.com/paasbot/paasbot/reply"
)

// UpgradeParams tune BuildUpgrade (nothing yet; kept so that every
// builder has the same shape).
type UpgradeParams struct{}

// BuildUpgrade lists the instances whose need_upgrade flag is set, by name
// then id, with their type, size, state and expiry date (in loc; nil: UTC).
// Deleted instances and those being deleted are left out. Each row gets an
// "Upgrade" button running `update <id> upgrade`, which starts the approval
// flow for whoever clicks it. The list does not depend on now today; it is
// taken so that every builder has the same shape.
func BuildUpgrade(instances []gandi.Instance, now time.Time, loc *time.Location, _ UpgradeParams) Report {
	loc = orUTC(loc)
	r := Report{
		Kind:      KindUpgrade,
		Title:     "Upgrade report: instances running an outdated system image",
		Columns:   []string{"instance", "id", "type", "size", "state", "expires"},
		Align:     []bool{false, true, false, false, false, false},
		Hint:      "Upgrade with `/paas update <name> upgrade` or a button below; it asks for approval first.",
		EmptyText: "Nothing to report: every instance runs the latest system image.",
		ListHint:  "`/paas list` lists every instance, ⬆ marking those to upgrade",
	}
	var list []*gandi.Instance
	for i := range instances {
		in := &instances[i]
		if in.NeedUpgrade && !gone(*in) {
			list = append(list, in)
		}
	}
	slices.SortFunc(list, func(a, b *gandi.Instance) int {
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	g := Group{Name: "needs upgrade"}
	for _, in := range list {
		exp := "-"
		if in.DateEnd != nil && !in.DateEnd.IsZero() {
			exp = formatDay(*in.DateEnd, loc)
		}
		g.Items = append(g.Items, Item{
			ID: in.ID, Name: in.Name,
			Cells:  []string{in.Name, strconv.Itoa(in.ID), string(in.Type), string(in.Size), string(in.State), exp},
			Button: upgradeButton(in.ID, in.Name),
		})
	}
	r.Empty = len(list) == 0
	if !r.Empty {
		r.Groups = []Group{g}
		r.Summary = fmt.Sprintf("%s need%s an upgrade of %s system image.",
			plural(len(list), "instance", "instances"), sIfOne(len(list)), theirIts(len(list)))
	}
	return r
}

func sIfOne(n int) string {
	if n == 1 {
		return "s"
	}
	return ""
}

func theirIts(n int) string {
	if n == 1 {
		return "its"
	}
	return "their"
}

// upgradeButton proposes `update <id> upgrade` (approval flow).
func upgradeButton(id int, name string) *reply.Button {
	cmd := fmt.Sprintf("update %d upgrade", id)
	return &reply.Button{Label: "Upgrade " + name, Action: "cmd", Value: cmd, Command: cmd}
}
