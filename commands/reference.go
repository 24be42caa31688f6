package commands

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/paasbot/paasbot/apperr"
	"github.com/paasbot/paasbot/gandi"
	"github.com/paasbot/paasbot/internal/human"
	"github.com/paasbot/paasbot/reply"
)

// The commands of this file answer what a person needs to fill create's
// datacenter= and snapshot-profile= and to follow what Gandi did, which
// the PaaS reference leaves out and Gandi's own CLI offers:
// hosting.datacenter.list, paas.snapshotprofile.list and operation.*.

var operationSortFields = []string{"date_created", "id", "step", "type"}

func stepNames() []string {
	var out []string
	for _, s := range gandi.Steps() {
		out = append(out, string(s))
	}
	return out
}

func (c *Core) referenceCommands() []*CommandSpec {
	return []*CommandSpec{
		{Name: "datacenters", Aliases: []string{"dcs"}, Summary: "the datacenters an instance can run in (create's datacenter=)",
			Run: runDatacenters, Examples: []string{"datacenters"}},
		{Name: "snapshot profiles", Aliases: []string{"profile"}, Summary: "the snapshot profiles a disk can have (snapshot-profile=)",
			Run: runSnapshotProfiles, Examples: []string{"snapshot profiles"}},
		{Name: "operations", Aliases: []string{"ops"}, Summary: "what Gandi did or does on your instances", Args: optInstanceArg,
			Keys: append([]Param{
				{Name: "step", Kind: KindEnums, Enum: stepNames(), Help: "only operations at these steps"},
				{Name: "type", Kind: KindStrings, Help: "operation types, e.g. paas_vm_renew"},
			}, pageKeys(operationSortFields)...),
			Run: runOperations, Examples: []string{"operations", "operations shop-prod", "operations step=RUN,WAIT"}},
		{Name: "operation", Aliases: []string{"op"}, Summary: "one operation, by the id an approval or operations shows",
			Args: []Param{{Name: "id", Kind: KindInt, Required: true, Hint: "<id>"}}, Run: runOperation,
			Examples: []string{"operation 1234"}},
	}
}

func runDatacenters(ctx context.Context, c *Core, call *Call) (reply.Message, error) {
	dcs, err := c.client(call).Datacenters.List(ctx, nil)
	if err != nil {
		return reply.Message{}, apperr.FromGandi(err, "")
	}
	if len(dcs) == 0 {
		return reply.Message{Text: "Gandi lists no datacenters."}, nil
	}
	sort.Slice(dcs, func(i, j int) bool { return dcs[i].ID < dcs[j].ID })
	t := &reply.Table{Columns: []string{"id", "code", "name", "country"}, Align: []bool{true}}
	for _, dc := range dcs {
		t.Rows = append(t.Rows, []string{strconv.Itoa(dc.ID), human.OrDash(dc.DCCode), human.OrDash(dc.Name), human.OrDash(dc.Country)})
	}
	return reply.Message{Title: "Datacenters", Table: t,
		Notes: []string{"`create … datacenter=ID` takes the id."}}, nil
}

func runSnapshotProfiles(ctx context.Context, c *Core, call *Call) (reply.Message, error) {
	ps, err := c.client(call).SnapshotProfiles.List(ctx, nil)
	if err != nil {
		return reply.Message{}, apperr.FromGandi(err, "")
	}
	if len(ps) == 0 {
		return reply.Message{Text: "Gandi lists no snapshot profiles."}, nil
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i].ID < ps[j].ID })
	t := &reply.Table{Columns: []string{"id", "name", "keeps", "schedules"}, Align: []bool{true}}
	for _, p := range ps {
		t.Rows = append(t.Rows, []string{strconv.Itoa(p.ID), human.OrDash(p.Name), human.Plural(p.KeptTotal, "snapshot"), schedulesLine(p.Schedules)})
	}
	return reply.Message{Title: "Snapshot profiles", Table: t,
		Notes: []string{"`create … snapshot-profile=ID` and `update <instance> snapshot-profile=ID` take the id."}}, nil
}

func schedulesLine(ss []gandi.SnapshotSchedule) string {
	var out []string
	for _, s := range ss {
		out = append(out, fmt.Sprintf("%s×%d", s.Name, s.KeptVersion))
	}
	return human.OrDash(strings.Join(out, ", "))
}

func runOperations(ctx context.Context, c *Core, call *Call) (reply.Message, error) {
	o := gandi.OperationListOptions{Step: call.Strings("step"), Type: call.Strings("type")}
	pg, err := c.pageOf(call, operationSortFields)
	if err != nil {
		return reply.Message{}, err
	}
	if pg.SortBy == "" {
		pg.SortBy = "date_created DESC" // the latest first, as Gandi's CLI shows them
	}
	o.Page = pg
	gc := c.client(call)
	names := map[int]string{}
	if call.Arg(0) != "" {
		ref, err := resolveInstance(ctx, gc.PaaS, call.Arg(0), false)
		if err != nil {
			return reply.Message{}, err
		}
		o.PaasID = gandi.Ints{ref.ID}
		names[ref.ID] = ref.Name
	}
	return listing[gandi.Operation]{
		count: func(ctx context.Context) (int, error) { return gc.Operations.Count(ctx, &o) },
		page: func(ctx context.Context) ([]gandi.Operation, error) {
			ops, err := gc.Operations.List(ctx, &o)
			if err == nil && call.Arg(0) == "" {
				instanceNames(ctx, gc.PaaS, ops, names)
			}
			return ops, err
		},
		noun: "operation", none: "No operations" + scopeSuffix(call), title: "Operations" + trimDot(scopeSuffix(call)),
		table: func(ops []gandi.Operation) *reply.Table {
			t := &reply.Table{Columns: []string{"id", "type", "step", "instance", "created"}, Align: []bool{true}}
			for _, op := range ops {
				t.Rows = append(t.Rows, []string{strconv.Itoa(op.ID), op.Type, string(op.Step), instanceName(op.PaasID, names), human.DateTime(op.DateCreated)})
			}
			return t
		},
	}.answer(ctx, call, pg)
}

// instanceNames fills names with the names of the instances ops act on.
// The names only help to read the answer: a failure leaves the ids bare.
func instanceNames(ctx context.Context, paas PaaS, ops []gandi.Operation, names map[int]string) {
	var ids []int
	for _, op := range ops {
		ids = append(ids, op.PaasID)
	}
	instanceNamesOf(ctx, paas, ids, names)
}

// instanceNamesOf fills names with the names of the instances of ids not
// yet in it (one paas.list {id} call, none when all are known). A failure
// leaves them unnamed.
func instanceNamesOf(ctx context.Context, paas PaaS, all []int, names map[int]string) {
	var ids gandi.Ints
	for _, id := range all {
		if _, ok := names[id]; !ok && id > 0 {
			names[id] = ""
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return
	}
	found, err := paas.List(ctx, &gandi.PaasListOptions{PaasCountOptions: gandi.PaasCountOptions{ID: ids}, Page: gandi.Page{ItemsPerPage: len(ids)}})
	if err != nil {
		return
	}
	for _, in := range found {
		names[in.ID] = in.Name
	}
}

// instanceName labels an instance id with its name when known:
// "shop-prod (#42)", else "#42", or "—" for none.
func instanceName(id int, names map[int]string) string {
	if id <= 0 {
		return "—"
	}
	if n := names[id]; n != "" {
		return fmt.Sprintf("%s (#%d)", n, id)
	}
	return "#" + strconv.Itoa(id)
}

func runOperation(ctx context.Context, c *Core, call *Call) (reply.Message, error) {
	id, _ := strconv.Atoi(call.Arg(0))
	gc := c.client(call)
	op, err := gc.Operations.Info(ctx, id)
	if err != nil {
		return reply.Message{}, apperr.FromGandi(err, fmt.Sprintf("no operation %d in your account", id))
	}
	names := map[int]string{}
	instanceNames(ctx, gc.PaaS, []gandi.Operation{*op}, names)
	f := []reply.Field{
		{Label: "Type", Value: human.OrDash(op.Type)},
		{Label: "Step", Value: string(op.Step)},
		{Label: "Instance", Value: instanceName(op.PaasID, names)},
		{Label: "Created", Value: human.DateTime(op.DateCreated)},
		{Label: "Updated", Value: human.DateTime(op.DateUpdated)},
	}
	if op.ETA > 0 && !op.Step.IsTerminal() {
		f = append(f, reply.Field{Label: "ETA", Value: human.Plural(op.ETA, "second")})
	}
	if op.LastError != "" {
		f = append(f, reply.Field{Label: "Last error", Value: op.LastError})
	}
	return reply.Message{Title: fmt.Sprintf("Operation #%d", op.ID), Fields: f}, nil
}
