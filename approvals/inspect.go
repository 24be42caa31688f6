package approvals

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/paasbot/paasbot/gandi"
	"github.com/paasbot/paasbot/internal/human"
	"github.com/paasbot/paasbot/reply"
	"github.com/paasbot/paasbot/secret"
)

// inspection is what Gandi said of a plan before it is offered: the dry
// run's errors (create, vhost create), the instance (renew, update), and
// the price (priceUnknown when the catalog does not say; "" for what is
// not paid).
type inspection struct {
	dry   []gandi.ValidationError
	info  *gandi.InstanceInfo
	price string
	// dryPass is the password of a create's dry run, thrown away unless
	// Gandi ignored the flag and created the instance with it.
	dryPass secret.Value
}

// inspect asks Gandi about p, everything it can at once (DESIGN §10: at
// most two sequential round trips up to the approval request, the
// handler's name resolution being the first): the dry run where the
// reference documents one, or paas.info for the calls that have none, side
// by side with catalog.list. Only a renewal whose handler did not give
// the catalog name waits for paas.info before asking the price. Errors are
// Gandi's, from the dry run or paas.info; a *gandi.DryRunIgnoredError says
// the dry run ran the call. The price never fails the inspection.
func (e *Engine) inspect(ctx context.Context, gc Client, p Plan) (inspection, error) {
	var in inspection
	if p.Action == ActionCreate {
		pw, err := generatePassword(e.cfg.Rand)
		if err != nil {
			return in, err
		}
		in.dryPass = pw
	}
	var gateErr error
	var wg sync.WaitGroup
	var items []gandi.CatalogItem
	product := priceProduct(p, nil)
	if product != "" {
		wg.Go(func() { items = e.catalog(ctx, gc, p, product) })
	}
	switch p.Action {
	case ActionCreate:
		params := *p.Create
		params.Password = in.dryPass.Reveal()
		in.dry, gateErr = gc.PaaS.CreateDryRun(ctx, params)
	case ActionVhostCreate:
		in.dry, gateErr = gc.Vhosts.CreateDryRun(ctx, gandi.VhostCreateParams{PaasID: p.Vhost.PaasID, Vhost: p.Vhost.FQDN,
			ZoneAlter: p.Vhost.ZoneAlter, Override: p.Vhost.Override})
	case ActionRenew, ActionUpdate:
		in.info, gateErr = gc.PaaS.Info(ctx, p.InstanceID)
		if gateErr == nil && product == "" {
			if product = priceProduct(p, in.info); product != "" {
				items = e.catalog(ctx, gc, p, product)
			}
		}
	}
	wg.Wait()
	if isPaid(p.Action) {
		in.price = priceOf(p, product, items, in.info)
	}
	var ign *gandi.DryRunIgnoredError
	if gateErr != nil && !errors.As(gateErr, &ign) {
		return inspection{}, gateErr
	}
	return in, gateErr
}

// describe adds to p what an approver needs and the handler did not know:
// the instance's facts from paas.info and, for what the call changes, the
// current value → the new one (the expiry date a renewal gives). It records
// in p.Seen what the execution will compare the instance with.
func describe(p *Plan, info *gandi.InstanceInfo) {
	p.Seen = &Seen{State: info.State, DateEnd: info.DateEnd}
	set := func(label, value string, replace ...string) {
		for i, f := range p.Summary {
			if f.Label == label || (len(replace) > 0 && f.Label == replace[0]) {
				p.Summary[i] = reply.Field{Label: label, Value: value}
				return
			}
		}
		p.Summary = append(p.Summary, reply.Field{Label: label, Value: value})
	}
	keep := func(label, value string) {
		for _, f := range p.Summary {
			if f.Label == label {
				return
			}
		}
		p.Summary = append(p.Summary, reply.Field{Label: label, Value: value})
	}
	switch {
	case p.Action == ActionRenew && p.Renew != nil:
		keep("Size", string(info.Size))
		months, _ := durationMonths(p.Renew.Duration)
		expiry := "unknown → " + human.Plural(months, "month") + " more"
		if info.DateEnd != nil {
			until := renewedUntil(*info.DateEnd, months)
			expiry = human.Date(info.DateEnd) + " → " + human.Date(&until)
		}
		set("Expiry", expiry)
	case p.Action == ActionUpdate && p.Update != nil:
		u := p.Update
		if u.Size != "" {
			set("Size", fmt.Sprintf("%s → %s", info.Size, u.Size))
		} else {
			keep("Size", string(info.Size))
		}
		if u.Quantity != nil {
			set("Additional disk", fmt.Sprintf("%d GB → %d GB", info.DataDiskAdditionalSize, *u.Quantity))
		}
		if u.Name != "" {
			set("Name", fmt.Sprintf("%s → %s", info.Name, u.Name), "New name")
		}
		if u.Console != nil {
			cur := "unknown"
			if info.ConsoleInfo != nil {
				cur = human.OnOff(info.ConsoleInfo.Enabled)
			}
			set("Console", cur+" → "+human.OnOff(*u.Console))
		}
		if sp := u.SnapshotProfile; sp != nil {
			cur, next := 0, 0
			if info.SnapshotProfile != nil {
				cur = info.SnapshotProfile.ID
			}
			if !sp.IsStr {
				next = sp.Int
			}
			set("Snapshot profile", profileLabel(cur)+" → "+profileLabel(next))
		}
	}
	keep("Type", string(info.Type))
	if info.DataDiskAdditionalSize > 0 {
		keep("Additional disk", fmt.Sprintf("%d GB", info.DataDiskAdditionalSize))
	}
	if len(info.Vhosts) > 0 {
		names := make([]string, len(info.Vhosts))
		for i, v := range info.Vhosts {
			names[i] = v.Name
		}
		keep("Vhosts", strings.Join(names, ", "))
	}
}

// priceUnknown is what the request says when the catalog gives no price:
// prices are information, never a gate (Gandi publishes no PaaS example).
const priceUnknown = "price unknown"
