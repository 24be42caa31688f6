package approvals

import (
	"testing"

	"github.com/paasbot/paasbot/gandi"
	"github.com/paasbot/paasbot/gandi/gandisim"
)

func TestDurationMonths(t *testing.T) {
	tests := []struct {
		in   string
		want int
		ok   bool
	}{
		{"1m", 1, true}, {"12m", 12, true}, {"2y", 24, true}, {" 3M ", 3, true},
		{"", 0, false}, {"m", 0, false}, {"0m", 0, false}, {"12d", 0, false}, {"-1m", 0, false},
	}
	for _, tt := range tests {
		got, ok := durationMonths(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("durationMonths(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestPriceText(t *testing.T) {
	items := []gandi.CatalogItem{
		{Product: gandi.CatalogProduct{Type: "paas", Description: "s"}, Action: gandi.CatalogAction{Name: "renew"},
			UnitPrice: []gandi.UnitPrice{{Price: 5, Currency: "EUR", MinDuration: 1, MaxDuration: 11, DurationUnit: "m"}}},
		{Product: gandi.CatalogProduct{Type: "paas", Description: "m"}, Action: gandi.CatalogAction{Name: "renew"},
			UnitPrice: []gandi.UnitPrice{
				{Price: 12.5, Currency: "EUR", MinDuration: 1, MaxDuration: 11, DurationUnit: "m"},
				{Price: 10.42, Currency: "EUR", MinDuration: 12, MaxDuration: 120, DurationUnit: "m"},
			}},
		{Product: gandi.CatalogProduct{Type: "paas", Description: "l"}, Action: gandi.CatalogAction{Name: "create"},
			UnitPrice: []gandi.UnitPrice{{Price: 200, Currency: "EUR", MinDuration: 1, MaxDuration: 10, DurationUnit: "y"}}},
	}
	tests := []struct {
		product, action string
		months          int
		want            string
	}{
		{"phpmysql_m", "renew", 3, "about 37.50 EUR (12.50 EUR per month × 3; Gandi's catalog, for information)"},
		{"phpmysql_m", "renew", 12, "about 125.04 EUR (10.42 EUR per month × 12; Gandi's catalog, for information)"},
		{"phpmysql_s", "renew", 12, ""}, // no price for 12 months of s
		{"phpmysql_l", "create", 24, "about 400.00 EUR (200.00 EUR per year × 2; Gandi's catalog, for information)"},
		{"phpmysql_l", "create", 18, ""}, // not whole years
		{"phpmysql_xl", "renew", 1, ""},
		{"phpmysql_m", "update", 1, ""},
	}
	for _, tt := range tests {
		if got := priceText(items, tt.product, tt.action, tt.months, ""); got != tt.want {
			t.Errorf("priceText(%s, %s, %d) = %q, want %q", tt.product, tt.action, tt.months, got, tt.want)
		}
	}
}

func TestPrice_CatalogFailureIsQuiet(t *testing.T) {
	r := newApvRig(t)
	r.sim.SetFault(gandisimFault("catalog.list"))
	id, _ := r.propose(r.renewPlan("shop-prod"))
	a := r.approval(id)
	p, err := planOf(a)
	if err != nil {
		t.Fatal(err)
	}
	price := ""
	for _, f := range p.Summary {
		if f.Label == "Price" {
			price = f.Value
		}
	}
	if price != "price unknown" {
		t.Errorf("price after a failed catalog = %q, want the words price unknown", price)
	}
	if a.State != "pending" {
		t.Errorf("state = %s: a price failure must not block the request", a.State)
	}
}

func gandisimFault(method string) gandisim.FaultRule {
	return gandisim.FaultRule{Method: method, Code: gandisim.CodeInternal}
}
