package commands

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/paasbot/paasbot/apperr"
	"github.com/paasbot/paasbot/approvals"
	"github.com/paasbot/paasbot/gandi"
	"github.com/paasbot/paasbot/internal/human"
	"github.com/paasbot/paasbot/reply"
)

var vhostSortFields = []string{"date_creation", "id", "name", "paas_id", "state"}

func vhostFilterKeys() []Param {
	return []Param{
		{Name: "name", Kind: KindString, Help: "exact FQDN"},
		{Name: "~name", Aliases: []string{"name~"}, Kind: KindString, Help: "FQDNs containing this"},
		{Name: "state", Kind: KindEnum, Enum: stateNames()},
		{Name: "id", Kind: KindInts},
		{Name: "paas_id", Kind: KindInt, Help: "instance id (or name it as the first word)"},
		{Name: "date_creation", Kind: KindDate},
		{Name: "<date_creation", Aliases: []string{"created-before"}, Kind: KindDate},
		{Name: ">date_creation", Aliases: []string{"created-after"}, Kind: KindDate},
	}
}

var fqdnArg = []Param{{Name: "fqdn", Kind: KindString, Required: true, Hint: "<fqdn>", Help: "a host name, e.g. www.example.com"}}
var optInstanceArg = []Param{{Name: "instance", Kind: KindString, Hint: "instance", Help: "only this instance (its id or exact name)"}}

func (c *Core) vhostCommands() []*CommandSpec {
	return []*CommandSpec{
		{Name: "vhost list", Summary: "virtual hosts (of one instance or all)", Args: optInstanceArg,
			Keys: append(vhostFilterKeys(), pageKeys(vhostSortFields)...), Run: runVhostList, Examples: []string{"vhost list shop-prod"}},
		{Name: "vhost count", Summary: "how many virtual hosts match", Args: optInstanceArg, Keys: vhostFilterKeys(), Run: runVhostCount},
		{Name: "vhost info", Summary: "one virtual host", Args: fqdnArg, Run: runVhostInfo, Examples: []string{"vhost info shop.example.com"}},
		{Name: "vhost create", Summary: "link a virtual host to an instance (asks for confirmation)", Paid: true,
			Args: []Param{instanceArg[0], fqdnArg[0]}, Run: runVhostCreate,
			Keys: []Param{
				{Name: "zone-alter", Aliases: []string{"zone_alter"}, Kind: KindBool, Switch: true, Help: "let Gandi add the record to your zone"},
				{Name: "override", Kind: KindBool, Switch: true, Help: "replace an existing record (with zone-alter)"},
			},
			Examples: []string{"vhost create shop-prod new.example.com zone-alter"}},
		{Name: "vhost delete", Summary: "unlink a virtual host (asks for confirmation)", Paid: true, Args: fqdnArg, Run: runVhostDelete},
		{Name: "vhost dns", Summary: "the DNS records a virtual host needs", Args: fqdnArg,
			Keys: []Param{{Name: "datacenter", Aliases: []string{"datacenter_id", "dc"}, Kind: KindInt, Required: true, Hint: "N"}},
			Run:  runVhostDNS, Examples: []string{"vhost dns new.example.com datacenter=1"}},
	}
}

func (c *Core) vhostFilters(ctx context.Context, call *Call, names map[int]string) (gandi.VhostListOptions, error) {
	var o gandi.VhostListOptions
	o.Name = call.String("name")
	if s := call.String("~name"); s != "" {
		o.NameLike = likePattern(s)
	}
	o.State = gandi.State(call.String("state"))
	o.ID = call.Ints("id")
	o.PaasID = call.Int("paas_id")
	o.DateCreation = call.String("date_creation")
	o.DateCreationBefore = call.String("<date_creation")
	o.DateCreationAfter = call.String(">date_creation")
	id, err := c.instanceScope(ctx, call, o.PaasID, names)
	o.PaasID = id
	return o, err
}

func runVhostList(ctx context.Context, c *Core, call *Call) (reply.Message, error) {
	names := map[int]string{}
	o, err := c.vhostFilters(ctx, call, names)
	if err != nil {
		return reply.Message{}, err
	}
	if o.Page, err = c.pageOf(call, vhostSortFields); err != nil {
		return reply.Message{}, err
	}
	gc := c.client(call)
	return listing[gandi.Vhost]{
		count: func(ctx context.Context) (int, error) { return gc.Vhosts.Count(ctx, &o) },
		page: func(ctx context.Context) ([]gandi.Vhost, error) {
			items, err := gc.Vhosts.List(ctx, &o)
			if err == nil {
				var ids []int
				for _, v := range items {
					ids = append(ids, v.PaasID)
				}
				instanceNamesOf(ctx, gc.PaaS, ids, names)
			}
			return items, err
		},
		noun: "virtual host", none: "No virtual hosts" + strings.TrimSuffix(scopeSuffix(call), ".") + ".",
		title: "Virtual hosts" + strings.TrimSuffix(scopeSuffix(call), "."),
		table: func(items []gandi.Vhost) *reply.Table {
			t := &reply.Table{Columns: []string{"fqdn", "instance", "state", "created (Paris)"}}
			for _, v := range items {
				t.Rows = append(t.Rows, []string{v.Name, instanceName(v.PaasID, names), v.State, human.Date(v.DateCreation)})
			}
			return t
		},
	}.answer(ctx, call, o.Page)
}

func scopeSuffix(call *Call) string {
	if call.Arg(0) != "" {
		return " of " + call.Arg(0) + "."
	}
	return filterSuffix(call)
}

func runVhostCount(ctx context.Context, c *Core, call *Call) (reply.Message, error) {
	o, err := c.vhostFilters(ctx, call, nil)
	if err != nil {
		return reply.Message{}, err
	}
	n, err := c.client(call).Vhosts.Count(ctx, &o)
	return countAnswer(n, err, "virtual host", scopeSuffix(call))
}

func runVhostInfo(ctx context.Context, c *Core, call *Call) (reply.Message, error) {
	gc := c.client(call)
	v, err := gc.Vhosts.Info(ctx, call.Arg(0))
	if err != nil {
		return reply.Message{}, apperr.FromGandi(err, fmt.Sprintf("no virtual host %s in your account", quoteWord(call.Arg(0))))
	}
	names := map[int]string{}
	instanceNamesOf(ctx, gc.PaaS, []int{v.PaasID}, names)
	return reply.Message{Title: v.Name, Fields: []reply.Field{
		{Label: "Instance", Value: instanceName(v.PaasID, names)},
		{Label: "State", Value: human.OrDash(v.State)},
		{Label: "Created", Value: human.Date(v.DateCreation) + " (Paris)"},
		{Label: "Certificate", Value: certLine(v.CertID)},
		{Label: "Id", Value: strconv.Itoa(v.ID)},
	}}, nil
}

func certLine(id int) string {
	if id == 0 {
		return "none"
	}
	return "#" + strconv.Itoa(id)
}

func runVhostCreate(ctx context.Context, c *Core, call *Call) (reply.Message, error) {
	fqdn := strings.ToLower(strings.TrimSuffix(call.Arg(1), "."))
	if !looksLikeFQDN(fqdn) {
		return reply.Message{}, apperr.Errorf(apperr.EINVALID, "%s is not a host name such as www.example.com.", quoteWord(call.Arg(1)))
	}
	if call.Bool("override") && !call.Bool("zone-alter") {
		return reply.Message{}, apperr.Errorf(apperr.EINVALID, "override only acts with zone-alter; add zone-alter or drop override.")
	}
	ref, err := resolveInstance(ctx, c.client(call).PaaS, call.Arg(0), true)
	if err != nil {
		return reply.Message{}, err
	}
	v := &approvals.VhostPlan{FQDN: fqdn, PaasID: ref.ID, ZoneAlter: call.Bool("zone-alter"), Override: call.Bool("override")}
	return c.propose(ctx, call, approvals.Plan{Action: approvals.ActionVhostCreate, InstanceID: ref.ID, Target: fqdn + " on " + ref.Label(), Vhost: v,
		Summary: []reply.Field{{Label: "Vhost", Value: fqdn}, {Label: "Instance", Value: ref.Label()}, {Label: "Zone alter", Value: human.YesNo(v.ZoneAlter)}}})
}

func runVhostDelete(ctx context.Context, c *Core, call *Call) (reply.Message, error) {
	fqdn := call.Arg(0)
	v, err := c.client(call).Vhosts.Info(ctx, fqdn)
	if err != nil {
		return reply.Message{}, apperr.FromGandi(err, fmt.Sprintf("no virtual host %s in your account", fqdn))
	}
	return c.propose(ctx, call, approvals.Plan{Action: approvals.ActionVhostDelete, InstanceID: v.PaasID, Target: v.Name, Vhost: &approvals.VhostPlan{FQDN: v.Name, PaasID: v.PaasID},
		Summary: []reply.Field{{Label: "Vhost", Value: v.Name}, {Label: "Instance", Value: "#" + strconv.Itoa(v.PaasID)}, {Label: "Files", Value: "kept in /lamp0/web/trash"}}})
}

func runVhostDNS(ctx context.Context, c *Core, call *Call) (reply.Message, error) {
	e, err := c.client(call).Vhosts.DNSEntries(ctx, gandi.DNSEntriesParams{Datacenter: call.Int("datacenter"), Vhost: call.Arg(0)})
	if err != nil {
		return reply.Message{}, apperr.FromGandi(err, "")
	}
	m := reply.Message{Title: "DNS records for " + call.Arg(0)}
	keys := make([]string, 0, len(e.All))
	for k := range e.All {
		keys = append(keys, k)
	}
	sortStrings(keys)
	for _, k := range keys {
		m.Fields = append(m.Fields, reply.Field{Label: k, Value: e.All[k]})
	}
	if e.TXT != "" {
		m.Text = "Add to your zone:\n```" + call.Arg(0) + ". 10800 IN TXT \"" + e.TXT + "\"```"
	}
	return m, nil
}

func looksLikeFQDN(s string) bool {
	if len(s) > 253 || !strings.Contains(s, ".") {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '*') {
				return false
			}
		}
	}
	return true
}
