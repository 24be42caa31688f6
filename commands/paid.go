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

var instanceArg = []Param{{Name: "instance", Kind: KindString, Required: true, Hint: "<instance>", Help: "an instance: its id or its exact name"}}

func (c *Core) paidCommands() []*CommandSpec {
	return []*CommandSpec{
		{Name: "create", Summary: "create an instance (paid; asks for approval)", Paid: true, Run: runCreate,
			Keys: []Param{
				{Name: "name", Kind: KindString, Required: true, Help: "name of the new instance"},
				{Name: "size", Kind: KindEnum, Enum: sizeNames(), Required: true},
				{Name: "type", Kind: KindString, Required: true, Hint: "phpmysql", Help: "an instance type; `types` lists those you can create"},
				{Name: "datacenter", Aliases: []string{"datacenter_id", "dc"}, Kind: KindInt, Required: true, Hint: "N", Help: "datacenter id (`info` of an instance shows its own)"},
				{Name: "duration", Kind: KindDuration, Required: true, Hint: "1m"},
				{Name: "vhosts", Aliases: []string{"vhost"}, Kind: KindStrings, Hint: "a,b"},
				{Name: "quantity", Kind: KindInt, Hint: "GB", Help: "additional disk in GB"},
				{Name: "ssh-key", Aliases: []string{"ssh_key"}, Kind: KindStrings, Help: "public SSH keys to authorise"},
				{Name: "keys", Kind: KindInts, Help: "ids of SSH keys stored at Gandi"},
				{Name: "snapshot-profile", Aliases: []string{"snapshot_profile"}, Kind: KindInt, Hint: "N", Help: "id of a snapshot profile for the disk"},
				{Name: "fixed", Kind: KindBool, Switch: true, Help: "annual commitment"},
				{Name: "zone-alter", Aliases: []string{"zone_alter"}, Kind: KindBool, Switch: true, Help: "let Gandi add the vhosts to your zone"},
				{Name: "override", Kind: KindBool, Switch: true, Help: "replace existing DNS records (with zone-alter)"},
				{Name: "same-name", Kind: KindBool, Switch: true, Help: "create it even if an instance already has this name"},
			},
			Examples: []string{"create name=blog size=s type=phpmysql datacenter=1 duration=1m vhosts=blog.example.com"}},
		{Name: "update", Summary: "change an instance (paid; asks for approval)", Paid: true, Args: instanceArg, Run: runUpdate,
			Keys: []Param{
				{Name: "size", Kind: KindEnum, Enum: sizeNames(), Help: "new size."},
				{Name: "quantity", Kind: KindInt, Hint: "GB", Help: "additional disk in GB"},
				{Name: "name", Kind: KindString, Help: "new name"},
				{Name: "console", Kind: KindBool, Hint: "on|off", Help: "the emergency console"},
				{Name: "upgrade", Kind: KindBool, Switch: true, Help: "upgrade to the latest system image"},
				{Name: "reset-password", Kind: KindBool, Switch: true, Help: "a new password, sent to you privately"},
				{Name: "reset-mysql-password", Aliases: []string{"reset_mysql_password"}, Kind: KindBool, Switch: true},
				{Name: "snapshot-profile", Aliases: []string{"snapshot_profile"}, Kind: KindString, Hint: "N|none", Help: "a snapshot profile id, or none to remove it"},
				{Name: "ssh-key", Aliases: []string{"ssh_key"}, Kind: KindStrings, Help: "public SSH keys to add"},
				{Name: "keys", Kind: KindInts, Help: "ids of SSH keys stored at Gandi"},
			},
			Examples: []string{"update shop-prod size=l", "update blog upgrade"}},
		{Name: "renew", Summary: "renew an instance (paid; asks for approval)", Paid: true, Args: instanceArg, Run: runRenew,
			Keys: []Param{
				{Name: "duration", Kind: KindDuration, Required: true, Hint: "12m"},
				{Name: "fixed", Kind: KindBool, Switch: true, Help: "annual commitment"},
			},
			Examples: []string{"renew shop-prod duration=12m"}},
		{Name: "restart", Summary: "restart an instance (asks for confirmation)", Paid: true, Args: instanceArg, Run: runRestart,
			Examples: []string{"restart shop-staging"}},
		{Name: "delete", Summary: "delete an instance (asks for confirmation)", Paid: true, Args: instanceArg, Run: runDelete,
			Examples: []string{"delete old-site"}},
	}
}

func runCreate(ctx context.Context, c *Core, call *Call) (reply.Message, error) {
	p := gandi.PaasCreateParams{
		Name: call.String("name"), Size: gandi.Size(call.String("size")), Type: gandi.ServiceType(call.String("type")),
		DatacenterID: call.Int("datacenter"), Duration: call.String("duration"),
		Vhosts: call.Strings("vhosts"), Quantity: call.Int("quantity"), SSHKey: call.Strings("ssh-key"),
		Keys: call.Ints("keys"), SnapshotProfile: call.IntPtr("snapshot-profile"),
		Fixed: call.Bool("fixed"), ZoneAlter: call.Bool("zone-alter"), Override: call.Bool("override"),
	}
	if !p.Type.Valid() {
		return reply.Message{}, c.unknownType(ctx, call, string(p.Type))
	}
	if p.Override && !p.ZoneAlter {
		return reply.Message{}, apperr.Errorf(apperr.EINVALID, "override only acts with zone-alter; add zone-alter or drop override.")
	}
	if !call.Bool("same-name") {
		if m, err := c.sameName(ctx, call, p.Name); m != nil || err != nil {
			return derefMsg(m), err
		}
	}
	summary := []reply.Field{
		{Label: "Name", Value: p.Name}, {Label: "Size", Value: string(p.Size)}, {Label: "Type", Value: string(p.Type)},
		{Label: "Datacenter", Value: strconv.Itoa(p.DatacenterID)}, {Label: "Duration", Value: p.Duration + commitment(p.Fixed)},
	}
	if len(p.Vhosts) > 0 {
		summary = append(summary, reply.Field{Label: "Vhosts", Value: strings.Join(p.Vhosts, ", ")})
	}
	if p.Quantity > 0 {
		summary = append(summary, reply.Field{Label: "Additional disk", Value: fmt.Sprintf("%d GB", p.Quantity)})
	}
	summary = append(summary, reply.Field{Label: "Password", Value: "generated at creation, sent to you privately"})
	return c.propose(ctx, call, approvals.Plan{Action: approvals.ActionCreate, Target: p.Name, Create: &p, Summary: summary, GeneratePassword: true})
}

// sameName asks for a confirmation when an instance of the account is
// already named name (one paas.list {name} call): two instances of one
// name are legal at Gandi, but every later command naming it is then
// ambiguous, and the second is most often a double submission. The answer
// is nil when no instance has the name.
func (c *Core) sameName(ctx context.Context, call *Call, name string) (*reply.Message, error) {
	found, err := c.client(call).PaaS.List(ctx, &gandi.PaasListOptions{PaasCountOptions: gandi.PaasCountOptions{Name: gandi.Strings{name}}})
	if err != nil {
		return nil, apperr.FromGandi(err, "")
	}
	if len(found) == 0 {
		return nil, nil
	}
	again := call.Line.String() + " same-name"
	return &reply.Message{Tone: reply.Warning,
		Text:    fmt.Sprintf("You already have an instance named %s (#%d). A second one makes every command naming %s ambiguous; create it anyway?", quoteWord(name), found[0].ID, quoteWord(name)),
		Buttons: []reply.Button{{Label: "Create a second " + name, Action: "cmd", Value: again, Command: again}}}, nil
}

func derefMsg(m *reply.Message) reply.Message {
	if m == nil {
		return reply.Message{}
	}
	return *m
}

// unknownType refuses a type the reference does not know, suggesting
// the account's current types (paas.type.list, visibility all) before the
// others (beta, deprecated), the closest first, at most ten: only this
// refusal asks Gandi, a known type costs no call.
func (c *Core) unknownType(ctx context.Context, call *Call, typed string) error {
	types, err := c.client(call).Types.List(ctx, &gandi.TypeListOptions{Page: gandi.Page{ItemsPerPage: gandi.MaxItemsPerPage}})
	var current, others []string
	for _, t := range types {
		if t.Visibility == gandi.VisibilityAll {
			current = append(current, t.Name)
		} else {
			others = append(others, t.Name)
		}
	}
	if err != nil || len(types) == 0 {
		current = typeNames()
	}
	all := append(closest(strings.ToLower(typed), current, maxListed), closest(strings.ToLower(typed), others, maxListed)...)
	return apperr.Errorf(apperr.EINVALID, "%s is not a valid type.%s Closest you can create: %s. `types` lists them all.",
		quoteWord(typed), didYouMean(typed, append(current, others...)), strings.Join(all[:min(len(all), maxListed)], ", "))
}

func commitment(fixed bool) string {
	if fixed {
		return " (annual commitment)"
	}
	return ""
}

func runUpdate(ctx context.Context, c *Core, call *Call) (reply.Message, error) {
	var p gandi.PaasUpdateParams
	var summary []reply.Field
	if call.Has("size") {
		p.Size = gandi.Size(call.String("size"))
		summary = append(summary, reply.Field{Label: "Size", Value: string(p.Size)})
	}
	if call.Has("quantity") {
		p.Quantity = call.IntPtr("quantity")
		summary = append(summary, reply.Field{Label: "Additional disk", Value: fmt.Sprintf("%d GB", *p.Quantity)})
	}
	if call.Has("name") {
		p.Name = call.String("name")
		summary = append(summary, reply.Field{Label: "Name", Value: p.Name})
	}
	if call.Has("console") {
		b := call.Bool("console")
		p.Console = &b
		summary = append(summary, reply.Field{Label: "Console", Value: human.OnOff(b)})
	}
	if call.Bool("upgrade") {
		p.Upgrade = true
		summary = append(summary, reply.Field{Label: "Upgrade", Value: "to the latest system image"})
	}
	if call.Bool("reset-mysql-password") {
		p.ResetMySQLPassword = true
		summary = append(summary, reply.Field{Label: "MySQL root password", Value: "reset"})
	}
	if call.Has("snapshot-profile") {
		v := call.String("snapshot-profile")
		switch strings.ToLower(v) {
		case "none", "off", "no":
			p.SnapshotProfile = gandi.StringValue("")
			summary = append(summary, reply.Field{Label: "Snapshot profile", Value: "none"})
		default:
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return reply.Message{}, apperr.Errorf(apperr.EINVALID, "snapshot-profile is a profile id or none, not %s.", quoteWord(v))
			}
			p.SnapshotProfile = gandi.IntValue(n)
			summary = append(summary, reply.Field{Label: "Snapshot profile", Value: "#" + v})
		}
	}
	if call.Has("ssh-key") {
		p.SSHKey = call.Strings("ssh-key")
		summary = append(summary, reply.Field{Label: "SSH keys added", Value: strconv.Itoa(len(p.SSHKey))})
	}
	if call.Has("keys") {
		p.Keys = call.Ints("keys")
		summary = append(summary, reply.Field{Label: "Gandi SSH keys", Value: fmt.Sprint(p.Keys)})
	}
	gen := call.Bool("reset-password")
	if gen {
		summary = append(summary, reply.Field{Label: "Password", Value: "a new one, sent to you privately"})
	}
	if len(summary) == 0 {
		return reply.Message{}, apperr.Errorf(apperr.EINVALID, "Say what to change, e.g. `update %s size=l`. Usage: `%s`.", strings.Trim(quoteWord(call.Arg(0)), `"`), usageLine(call.Spec))
	}
	ref, err := resolveInstance(ctx, c.client(call).PaaS, call.Arg(0), true)
	if err != nil {
		return reply.Message{}, err
	}
	return c.propose(ctx, call, approvals.Plan{Action: approvals.ActionUpdate, InstanceID: ref.ID, Target: ref.Label(), Update: &p,
		Summary: summary, GeneratePassword: gen, CatalogName: ref.Catalog})
}

func runRenew(ctx context.Context, c *Core, call *Call) (reply.Message, error) {
	ref, err := resolveInstance(ctx, c.client(call).PaaS, call.Arg(0), true)
	if err != nil {
		return reply.Message{}, err
	}
	r := gandi.RenewOptions{Duration: call.String("duration"), Fixed: call.Bool("fixed")}
	summary := []reply.Field{{Label: "Instance", Value: ref.Label()}, {Label: "Duration", Value: r.Duration + commitment(r.Fixed)}}
	return c.propose(ctx, call, approvals.Plan{Action: approvals.ActionRenew, InstanceID: ref.ID, Target: ref.Label(), Renew: &r,
		Summary: summary, CatalogName: ref.Catalog})
}

func runRestart(ctx context.Context, c *Core, call *Call) (reply.Message, error) {
	return c.proposeOnInstance(ctx, call, approvals.ActionRestart, "the site is down for a moment")
}

func runDelete(ctx context.Context, c *Core, call *Call) (reply.Message, error) {
	return c.proposeOnInstance(ctx, call, approvals.ActionDelete, "the instance and its disk are deleted")
}

// proposeOnInstance proposes action on the instance the command names,
// checked with paas.info first, saying what it does (effect).
func (c *Core) proposeOnInstance(ctx context.Context, call *Call, action, effect string) (reply.Message, error) {
	ref, err := resolveInstance(ctx, c.client(call).PaaS, call.Arg(0), true)
	if err != nil {
		return reply.Message{}, err
	}
	return c.propose(ctx, call, approvals.Plan{Action: action, InstanceID: ref.ID, Target: ref.Label(),
		Summary: []reply.Field{{Label: "Instance", Value: ref.Label()}, {Label: "Effect", Value: effect}}})
}
