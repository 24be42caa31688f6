package commands

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/paasbot/paasbot/apperr"
	"github.com/paasbot/paasbot/gandi"
	"github.com/paasbot/paasbot/internal/human"
	"github.com/paasbot/paasbot/reply"
)

// expiryWarnDays flags instances expiring within this many days.
const expiryWarnDays = 30

func sizeNames() []string {
	var out []string
	for _, s := range gandi.Sizes() {
		out = append(out, string(s))
	}
	return out
}

func stateNames() []string {
	var out []string
	for _, s := range gandi.States() {
		out = append(out, string(s))
	}
	return out
}

func typeNames() []string {
	var out []string
	for _, s := range gandi.ServiceTypes() {
		out = append(out, string(s))
	}
	return out
}

var paasSortFields = []string{"contact", "data_disk_additional_size", "datacenter_id", "date_end", "date_start", "id", "name", "size", "state", "type", "vhost"}

// instanceFilterKeys are every filter of PaasCountOptions as the reference
// writes it, plus friendly aliases.
func instanceFilterKeys() []Param {
	return []Param{
		{Name: "state", Kind: KindEnum, Enum: stateNames()},
		{Name: "size", Kind: KindEnums, Enum: sizeNames()},
		{Name: "type", Kind: KindEnums, Enum: typeNames()},
		{Name: "name", Kind: KindStrings, Help: "exact names, comma-separated"},
		{Name: "~name", Aliases: []string{"name~"}, Kind: KindStrings, Help: "names containing this (% wildcards allowed)"},
		{Name: "vhost", Kind: KindStrings, Help: "instances serving this FQDN"},
		{Name: "~vhost", Aliases: []string{"vhost~"}, Kind: KindStrings, Help: "vhosts containing this"},
		{Name: "id", Kind: KindInts},
		{Name: "datacenter_id", Aliases: []string{"datacenter", "dc"}, Kind: KindInts, Help: "datacenter ids, e.g. 1,2"},
		{Name: "contact", Kind: KindStrings},
		{Name: "date_end", Kind: KindDate, Help: "expiry on this date"},
		{Name: "<date_end", Aliases: []string{"expires-before"}, Kind: KindDate, Help: "expiring before this date"},
		{Name: ">date_end", Aliases: []string{"expires-after"}, Kind: KindDate, Help: "expiring after this date"},
		{Name: "expires-within", Kind: KindDays, Hint: "30d", Help: "expiring within this many days from today"},
		{Name: "date_start", Kind: KindDate, Help: "created on this date"},
		{Name: "data_disk_additional_size", Kind: KindInt, Help: "additional disk, GB"},
		{Name: "<data_disk_additional_size", Kind: KindInt},
		{Name: ">data_disk_additional_size", Kind: KindInt},
	}
}

func (c *Core) instanceCommands() []*CommandSpec {
	return []*CommandSpec{
		{Name: "list", Aliases: []string{"ls"}, Summary: "your instances, with expiry and upgrade flags",
			Keys: append(instanceFilterKeys(), pageKeys(paasSortFields)...), Run: runList,
			Examples: []string{"list", "list state=running sort=date_end", "list ~name=shop", "list expires-within=30d", "list <date_end=2026-12-31 datacenter_id=1,2"}},
		{Name: "count", Summary: "how many instances match", Keys: instanceFilterKeys(), Run: runCount,
			Examples: []string{"count state=running"}},
		{Name: "info", Aliases: []string{"show"}, Summary: "everything about one instance",
			Args: instanceArg, Run: runInfo,
			Examples: []string{"info shop-prod", "info 42"}},
	}
}

// instanceFilters converts the validated filter keys of call.
func (c *Core) instanceFilters(call *Call) (gandi.PaasCountOptions, error) {
	var o gandi.PaasCountOptions
	o.State = gandi.State(call.String("state"))
	o.Size = call.Strings("size")
	o.Type = call.Strings("type")
	o.Name = call.Strings("name")
	o.NameLike = likePatterns(call.Strings("~name"))
	o.Vhost = call.Strings("vhost")
	o.VhostLike = likePatterns(call.Strings("~vhost"))
	o.ID = call.Ints("id")
	o.DatacenterID = call.Ints("datacenter_id")
	o.Contact = call.Strings("contact")
	o.DateEnd = call.String("date_end")
	o.DateEndBefore = call.String("<date_end")
	o.DateEndAfter = call.String(">date_end")
	o.DateStart = call.String("date_start")
	o.DataDiskAdditionalSize = call.IntPtr("data_disk_additional_size")
	o.DataDiskAdditionalSizeLT = call.IntPtr("<data_disk_additional_size")
	o.DataDiskAdditionalSizeGT = call.IntPtr(">data_disk_additional_size")
	if call.Has("expires-within") {
		if o.DateEndBefore != "" {
			return o, apperr.Errorf(apperr.EINVALID, "Give expires-within or <date_end, not both.")
		}
		o.DateEndBefore = gandi.DateFilter(c.now().AddDate(0, 0, call.Days("expires-within")))
	}
	return o, nil
}

func runCount(ctx context.Context, c *Core, call *Call) (reply.Message, error) {
	o, err := c.instanceFilters(call)
	if err != nil {
		return reply.Message{}, err
	}
	n, err := c.client(call).PaaS.Count(ctx, &o)
	return countAnswer(n, err, "instance", filterSuffix(call))
}

// filterSuffix writes " matching state=running" for a reply.
func filterSuffix(call *Call) string {
	var parts []string
	for _, n := range call.order {
		if n == "page" || n == "per-page" || n == "sort_by" {
			continue
		}
		parts = append(parts, n+"="+call.raw[n])
	}
	if len(parts) == 0 {
		return "."
	}
	return " matching " + strings.Join(parts, " ") + "."
}

func runList(ctx context.Context, c *Core, call *Call) (reply.Message, error) {
	o, err := c.instanceFilters(call)
	if err != nil {
		return reply.Message{}, err
	}
	pg, err := c.pageOf(call, paasSortFields)
	if err != nil {
		return reply.Message{}, err
	}
	gc, now := c.client(call), c.now()
	m, err := listing[gandi.Instance]{
		count: func(ctx context.Context) (int, error) { return gc.PaaS.Count(ctx, &o) },
		page: func(ctx context.Context) ([]gandi.Instance, error) {
			return gc.PaaS.List(ctx, &gandi.PaasListOptions{PaasCountOptions: o, Page: pg})
		},
		noun: "instance", none: "No instances" + strings.TrimSuffix(filterSuffix(call), ".") + ".", title: "Instances",
		table: func(items []gandi.Instance) *reply.Table { return instanceTable(now, items) },
	}.answer(ctx, call, pg)
	if err == nil && m.Table != nil {
		m.Notes = append(m.Notes, fmt.Sprintf("⚠ expires within %d days · ⬆ needs an upgrade · dates are Paris time", expiryWarnDays))
	}
	return m, err
}

func instanceTable(now time.Time, items []gandi.Instance) *reply.Table {
	t := &reply.Table{
		Columns: []string{"id", "name", "state", "size", "type", "dc", "expires", "", "flags"},
		Align:   []bool{true, false, false, false, false, true, false, false, false},
		Key:     1,
	}
	for _, in := range items {
		rel, flags := "", ""
		if in.DateEnd != nil {
			d := human.DaysUntil(now, *in.DateEnd)
			rel = human.RelDays(d)
			if d <= expiryWarnDays {
				flags += "⚠"
			}
		}
		if in.NeedUpgrade {
			flags += "⬆"
		}
		t.Rows = append(t.Rows, []string{
			strconv.Itoa(in.ID), in.Name, string(in.State), string(in.Size), string(in.Type),
			strconv.Itoa(in.DatacenterID), human.Date(in.DateEnd), rel, flags,
		})
	}
	return t
}
