package commands

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/paasbot/paasbot/apperr"
	"github.com/paasbot/paasbot/gandi"
	"github.com/paasbot/paasbot/internal/human"
	"github.com/paasbot/paasbot/reply"
)

var snapshotSortFields = []string{"date_created", "name", "paas_id", "size", "type"}

func snapshotFilterKeys() []Param {
	return []Param{
		{Name: "name", Kind: KindString},
		{Name: "~name", Aliases: []string{"name~"}, Kind: KindString},
		{Name: "type", Kind: KindString, Help: "snapshot type, e.g. daily"},
		{Name: "paas_id", Kind: KindInt, Help: "instance id (or name it as the first word)"},
		{Name: "size", Kind: KindInt}, {Name: "<size", Kind: KindInt}, {Name: ">size", Kind: KindInt},
		{Name: "date_created", Kind: KindDate},
		{Name: "<date_created", Aliases: []string{"created-before"}, Kind: KindDate},
		{Name: ">date_created", Aliases: []string{"created-after"}, Kind: KindDate},
	}
}

func (c *Core) snapshotCommands() []*CommandSpec {
	return []*CommandSpec{
		{Name: "snapshot list", Aliases: []string{"ls"}, Summary: "snapshots (of one instance or all)", Args: optInstanceArg,
			Keys: append(snapshotFilterKeys(), pageKeys(snapshotSortFields)...), Run: runSnapshotList,
			Examples: []string{"snapshot list shop-prod", "snapshot list sort=-date_created"}},
		{Name: "snapshot count", Summary: "how many snapshots match", Args: optInstanceArg, Keys: snapshotFilterKeys(), Run: runSnapshotCount},
		{Name: "snapshot info", Summary: "one snapshot", Args: []Param{{Name: "id", Kind: KindInt, Required: true, Hint: "<id>"}}, Run: runSnapshotInfo},
	}
}

func (c *Core) snapshotFilters(ctx context.Context, call *Call, names map[int]string) (gandi.SnapshotListOptions, error) {
	var o gandi.SnapshotListOptions
	o.Name = call.String("name")
	if s := call.String("~name"); s != "" {
		o.NameLike = likePattern(s)
	}
	o.Type = call.String("type")
	o.PaasID = call.Int("paas_id")
	o.Size, o.SizeLT, o.SizeGT = call.IntPtr("size"), call.IntPtr("<size"), call.IntPtr(">size")
	o.DateCreated = call.String("date_created")
	o.DateCreatedBefore = call.String("<date_created")
	o.DateCreatedAfter = call.String(">date_created")
	id, err := c.instanceScope(ctx, call, o.PaasID, names)
	o.PaasID = id
	return o, err
}

func runSnapshotList(ctx context.Context, c *Core, call *Call) (reply.Message, error) {
	names := map[int]string{}
	o, err := c.snapshotFilters(ctx, call, names)
	if err != nil {
		return reply.Message{}, err
	}
	if o.Page, err = c.pageOf(call, snapshotSortFields); err != nil {
		return reply.Message{}, err
	}
	gc, now := c.client(call), c.now()
	return listing[gandi.Snapshot]{
		count: func(ctx context.Context) (int, error) { return gc.Snapshots.Count(ctx, &o) },
		page: func(ctx context.Context) ([]gandi.Snapshot, error) {
			items, err := gc.Snapshots.List(ctx, &o)
			if err == nil {
				var ids []int
				for _, s := range items {
					if s.Source != nil {
						ids = append(ids, s.Source.PaasID)
					}
				}
				instanceNamesOf(ctx, gc.PaaS, ids, names)
			}
			return items, err
		},
		noun: "snapshot", none: "No snapshots" + scopeSuffix(call), title: "Snapshots" + trimDot(scopeSuffix(call)),
		table: func(items []gandi.Snapshot) *reply.Table { return snapshotTable(now, items, names) },
	}.answer(ctx, call, o.Page)
}

func snapshotTable(now time.Time, items []gandi.Snapshot, names map[int]string) *reply.Table {
	t := &reply.Table{Columns: []string{"id", "name", "instance", "type", "size", "taken", ""}, Align: []bool{true, false, false, false, true, false, false}, Key: 1}
	for _, s := range items {
		inst, age := "—", ""
		if s.Source != nil {
			inst = instanceName(s.Source.PaasID, names)
		}
		if s.DateCreated != nil {
			age = human.RelDays(human.DaysUntil(now, *s.DateCreated))
		}
		t.Rows = append(t.Rows, []string{strconv.Itoa(s.ID), s.Name, inst, s.Type, snapshotSize(s.Size), human.DateTime(s.DateCreated), age})
	}
	return t
}

// snapshotSize writes a snapshot's size with its unit: megabytes, the
// unit of every disk size of the reference.
func snapshotSize(mb int) string { return strconv.Itoa(mb) + " MB" }

func trimDot(s string) string {
	if len(s) > 0 && s[len(s)-1] == '.' {
		return s[:len(s)-1]
	}
	return s
}

func runSnapshotCount(ctx context.Context, c *Core, call *Call) (reply.Message, error) {
	o, err := c.snapshotFilters(ctx, call, nil)
	if err != nil {
		return reply.Message{}, err
	}
	n, err := c.client(call).Snapshots.Count(ctx, &o)
	return countAnswer(n, err, "snapshot", scopeSuffix(call))
}

func runSnapshotInfo(ctx context.Context, c *Core, call *Call) (reply.Message, error) {
	id, _ := strconv.Atoi(call.Arg(0))
	s, err := c.client(call).Snapshots.Info(ctx, id)
	if err != nil {
		return reply.Message{}, apperr.FromGandi(err, fmt.Sprintf("no snapshot %d in your account", id))
	}
	f := []reply.Field{
		{Label: "Name", Value: human.OrDash(s.Name)}, {Label: "Type", Value: human.OrDash(s.Type)},
		{Label: "Size", Value: snapshotSize(s.Size)}, {Label: "Taken", Value: human.DateTime(s.DateCreated)},
	}
	if s.Source != nil {
		names := map[int]string{}
		instanceNamesOf(ctx, c.client(call).PaaS, []int{s.Source.PaasID}, names)
		f = append(f, reply.Field{Label: "Instance", Value: instanceName(s.Source.PaasID, names)},
			reply.Field{Label: "Datacenter", Value: strconv.Itoa(s.Source.DatacenterID)},
			reply.Field{Label: "Disk state", Value: human.OrDash(s.Source.State)})
	}
	return reply.Message{Title: fmt.Sprintf("Snapshot #%d", s.ID), Fields: f}, nil
}

func sortStrings(s []string) { sort.Strings(s) }
