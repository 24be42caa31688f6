package approvals

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/paasbot/paasbot/gandi"
	"github.com/paasbot/paasbot/internal/human"
)

// lookupTimeout bounds the information-only calls made while proposing
// and after a follow-up (catalog.list for the price, paas.info for the
// result): a slow answer drops the information, never the request.
const lookupTimeout = 5 * time.Second

// priceProduct is the catalog product the price of p is asked for: the
// type and size of a new instance, the catalog name of a renewed one (the
// handler's, else paas.info's when info is given); "" when it is not known
// (or p is not priced: an update's cost depends on the remaining period,
// which the catalog does not price).
func priceProduct(p Plan, info *gandi.InstanceInfo) string {
	switch {
	case p.Action == ActionCreate && p.Create != nil:
		return string(p.Create.Type) + "_" + string(p.Create.Size)
	case p.Action == ActionRenew && p.CatalogName != "":
		return p.CatalogName
	case p.Action == ActionRenew && info != nil:
		return info.CatalogName
	}
	return ""
}

// priceAction is the catalog action and duration of p ("" when p is not
// priced).
func priceAction(p Plan) (action, duration string) {
	switch {
	case p.Action == ActionCreate && p.Create != nil:
		return "create", p.Create.Duration
	case p.Action == ActionRenew && p.Renew != nil:
		return "renew", p.Renew.Duration
	}
	return "", ""
}

// catalog asks catalog.list the EUR prices of product for p's action
// (nil when it cannot say: prices are information, so nothing depends on
// them, and Gandi publishes no PaaS example).
func (e *Engine) catalog(ctx context.Context, gc Client, p Plan, product string) []gandi.CatalogItem {
	action, duration := priceAction(p)
	if action == "" {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, lookupTimeout)
	defer cancel()
	items, err := gc.Catalog.List(ctx, gandi.CatalogListOptions{ProductType: "paas", ProductDescription: product,
		ActionName: action, ActionDuration: duration, Currency: "EUR"})
	if err != nil {
		e.log.DebugContext(ctx, "no catalog price", "err", err)
		return nil
	}
	return items
}

// priceOf writes what p costs for people from the catalog's items, or
// priceUnknown. info, when known, says whether an additional disk is left
// out of the price.
func priceOf(p Plan, product string, items []gandi.CatalogItem, info *gandi.InstanceInfo) string {
	action, duration := priceAction(p)
	months, ok := durationMonths(duration)
	if action == "" || !ok || len(items) == 0 {
		return priceUnknown
	}
	extra := ""
	if (p.Create != nil && p.Create.Quantity > 0) || (info != nil && info.DataDiskAdditionalSize > 0) {
		extra = ", without the additional disk"
	}
	if s := priceText(items, product, action, months, extra); s != "" {
		return s
	}
	return priceUnknown
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
