package approvals

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/paasbot/paasbot/gandi"
	"github.com/paasbot/paasbot/internal/human"
	"github.com/paasbot/paasbot/reply"
)

// lookupTimeout bounds the information-only calls made while proposing
// (paas.info for the summary, catalog.list for the price): a slow answer
// drops the information, never the request.
const lookupTimeout = 5 * time.Second

// enrichPlan adds what a person approving money wants to see and the
// handler did not know: the instance's size, disk, vhosts and current
// expiry (paas.info) and the catalog price. Every failure is ignored: this
// is information, never a gate.
func (e *Engine) enrichPlan(ctx context.Context, gc Client, p *Plan) {
	ctx, cancel := context.WithTimeout(ctx, lookupTimeout)
	defer cancel()
	var info *gandi.InstanceInfo
	if p.InstanceID > 0 && (p.Action == ActionRenew || p.Action == ActionUpdate) {
		var err error
		if info, err = gc.PaaS.Info(ctx, p.InstanceID); err != nil {
			e.log.DebugContext(ctx, "no instance facts for the approval", "err", err)
			info = nil
		}
	}
	if info != nil {
		add := func(label, value string) {
			for _, f := range p.Summary {
				if f.Label == label {
					return
				}
			}
			p.Summary = append(p.Summary, reply.Field{Label: label, Value: value})
		}
		size := string(info.Size)
		if p.Action == ActionUpdate {
			add("Current size", size)
		} else {
			add("Size", size)
		}
		add("Type", string(info.Type))
		if info.DataDiskAdditionalSize > 0 {
			add("Additional disk", fmt.Sprintf("%d GB", info.DataDiskAdditionalSize))
		}
		if len(info.Vhosts) > 0 {
			names := make([]string, len(info.Vhosts))
			for i, v := range info.Vhosts {
				names[i] = v.Name
			}
			add("Vhosts", strings.Join(names, ", "))
		}
		if p.Action == ActionRenew {
			add("Expires now", human.Date(info.DateEnd))
		}
	}
	if price := e.price(ctx, gc, p, info); price != "" {
		p.Summary = append(p.Summary, reply.Field{Label: "Price", Value: price})
	}
}

// price asks catalog.list what the plan costs, in EUR, and writes it for
// people; "" when the catalog does not say (Gandi publishes no PaaS
// example, so nothing depends on it).
func (e *Engine) price(ctx context.Context, gc Client, p *Plan, info *gandi.InstanceInfo) string {
	var product, action, duration, extra string
	switch {
	case p.Action == ActionCreate && p.Create != nil:
		product = string(p.Create.Type) + "_" + string(p.Create.Size)
		action, duration = "create", p.Create.Duration
		if p.Create.Quantity > 0 {
			extra = ", without the additional disk"
		}
	case p.Action == ActionRenew && p.Renew != nil && info != nil && info.CatalogName != "":
		product, action, duration = info.CatalogName, "renew", p.Renew.Duration
		if info.DataDiskAdditionalSize > 0 {
			extra = ", without the additional disk"
		}
	default:
		return ""
	}
	months, ok := durationMonths(duration)
	if !ok {
		return ""
	}
	items, err := gc.Catalog.List(ctx, gandi.CatalogListOptions{ProductType: "paas", ProductDescription: product,
		ActionName: action, ActionDuration: duration, Currency: "EUR"})
	if err != nil {
		e.log.DebugContext(ctx, "no catalog price", "err", err)
		return ""
	}
	return priceText(items, product, action, months, extra)
}

// priceText picks the unit price of product/action valid for months and
// writes the total; "" when none fits.
func priceText(items []gandi.CatalogItem, product, action string, months int, extra string) string {
	for _, it := range items {
		if it.Action.Name != "" && it.Action.Name != action {
			continue
		}
		if d := it.Product.Description; d != "" && d != product && !strings.HasSuffix(product, "_"+d) {
			continue
		}
		for _, u := range it.UnitPrice {
			n := months
			unit := "month"
			if u.DurationUnit == "y" {
				if months%12 != 0 {
					continue
				}
				n, unit = months/12, "year"
			} else if u.DurationUnit != "" && u.DurationUnit != "m" {
				continue
			}
			if (u.MinDuration > 0 && n < u.MinDuration) || (u.MaxDuration > 0 && n > u.MaxDuration) || u.Price <= 0 {
				continue
			}
			cur := human.OrDefault(u.Currency, "EUR")
			return fmt.Sprintf("about %.2f %s (%.2f %s per %s × %d%s; Gandi's catalog, for information)",
				u.Price*float64(n), cur, u.Price, cur, unit, n, extra)
		}
	}
	return ""
}

// durationMonths reads a Gandi duration ("12m", "1y") as months.
func durationMonths(d string) (int, bool) {
	d = strings.TrimSpace(strings.ToLower(d))
	if len(d) < 2 {
		return 0, false
	}
	n, err := strconv.Atoi(d[:len(d)-1])
	if err != nil || n <= 0 {
		return 0, false
	}
	switch d[len(d)-1] {
	case 'm':
		return n, true
	case 'y':
		return n * 12, true
	}
	return 0, false
}
