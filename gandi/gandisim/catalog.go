package gandisim

import (
	"strings"
)

// Static reference data of the simulated platform.

// datacenter is one Gandi datacenter as paas.info shows it.
type datacenter struct {
	ID      int
	ISO     string
	DCCode  string
	Name    string
	Country string
	// host is the "dcN" part of the platform's host names.
	host string
}

var datacenters = []datacenter{
	{1, "FR", "FR-SD2", "Equinix Paris", "France", "dc0"},
	{2, "US", "US-BA1", "Level3 Baltimore", "United States of America", "dc1"},
	{3, "LU", "LU-BI1", "Bissen", "Luxembourg", "dc2"},
	{4, "FR", "FR-SD3", "France, Paris SD3", "France", "dc3"},
}

func findDatacenter(id int) (datacenter, bool) {
	for _, dc := range datacenters {
		if dc.ID == id {
			return dc, true
		}
	}
	return datacenter{}, false
}

func (dc datacenter) info() map[string]any {
	return map[string]any{"id": dc.ID, "iso": dc.ISO, "dc_code": dc.DCCode, "name": dc.Name, "country": dc.Country}
}

// hosting.datacenter.list is not in the PaaS reference; Gandi's own CLI
// calls it to name the datacenter_id values paas.create accepts. Its
// items are paas.info's datacenter struct, from the same table as the
// instances' datacenters, and it filters on each of their keys.
func datacenterSpec(method string) listSpec {
	return listSpec{
		method: method, code: CodeDatacenterBadParameter,
		eq: map[string]kind{"id": kIntOrArray, "iso": kString, "dc_code": kString, "name": kString, "country": kString},
	}
}

func datacenterGet(dc datacenter, f string) any {
	switch f {
	case "id":
		return dc.ID
	case "iso":
		return dc.ISO
	case "dc_code":
		return dc.DCCode
	case "name":
		return dc.Name
	case "country":
		return dc.Country
	}
	return nil
}

func datacenterList(c *call) (any, *Fault) {
	return listAnswer(c, datacenterSpec(c.method), false, datacenters, datacenterGet,
		func(dc datacenter) int { return dc.ID }, datacenter.info)
}

// Sizes of PaasSizeEnum, smallest first, with the monthly price in EUR.
var sizes = []string{"s", "s+", "m", "l", "xl", "xxl"}

var monthlyPrice = map[string]float64{"s": 5, "s+": 7.5, "m": 15, "l": 30, "xl": 60, "xxl": 120}

// diskPricePerGB is the monthly price of one GB of additional disk.
const diskPricePerGB = 0.1

// States of PaasState.
var paasStates = []string{"running", "being_created", "locked", "deleted", "paused", "being_migrated", "being_deleted"}

// Visibilities of PaasTypeVisibility.
var visibilities = []string{"all", "beta", "deprecated", "alpha", "internal"}

// paasTypeNames is PaasTypeServiceName, in the reference's order.
var paasTypeNames = []string{
	"php5.4mysql", "php5.4pgsql", "nodejspgsql", "nodejsmongodb", "php5.4mongodb", "nodejsmysql",
	"pythonmysql", "pythonpgsql", "pythonmongodb", "rubymysql", "rubypgsql", "rubymongodb",
	"phpmysql", "phppgsql", "phpmongodb", "nodejsmysql5.6", "nodejspgsql9.4", "nodejsmongodb2.4",
	"php7mysql5.6", "php7pgsql9.4", "php7mongodb2.4", "php5.7mysql5.6", "php5.6pgsql9.4",
	"php5.6mongodb2.4", "nodejs6mongodb3.2", "nodejs6mysql5.6", "nodejs6mysql5.7", "nodejs6pgsql9.6",
	"php5.6mongodb3.2", "php5.6mysql5.7", "php5.6pgsql9.6", "php7.1mongodb3.2", "php7.1mysql5.6",
	"php7.1mysql5.7", "php7.1pgsql9.6", "python2.7mongodb3.2", "python2.7mysql5.6",
	"python2.7mysql5.7", "python2.7pgsql9.6", "python3.6mongodb3.2", "python3.6mysql5.6",
	"python3.6mysql5.7", "python3.6pgsql9.6", "ruby2.3mysql5.6", "ruby2.3mysql5.7", "ruby2.3pgsql9.6",
	"ruby2.3pgsql9.7", "ruby2.4mongodb3.2", "ruby2.4mysql5.6", "ruby2.4mysql5.7", "ruby2.4pgsql9.6",
	"php7.3mysql5.7", "php7.3pgsql9.6", "php7.3mongodb3.2", "php.5.4mysql.5.5", "php7.3mysql5.5",
	"php7.2mysql5.7",
}

// paasType is one PaasTypeReturn.
type paasType struct {
	ID            int
	Name          string
	Language      string
	Database      string
	Category      string
	CatalogPrefix string
	Visibility    string
}

func (t paasType) record() map[string]any {
	return map[string]any{
		"id": t.ID, "name": t.Name, "language": t.Language, "database": t.Database,
		"category": t.Category, "catalog_prefix": t.CatalogPrefix, "visibility": t.Visibility,
	}
}

// creatable reports whether paas.create accepts the type (PaasCreateVisibility).
func (t paasType) creatable() bool { return t.Visibility == "all" || t.Visibility == "beta" }

// buildTypes derives language, database, category and visibility from the
// service names: "php7.1mysql5.7" is PHP 7.1 with MySQL 5.7.
func buildTypes() []paasType {
	langs := []struct{ prefix, name string }{{"nodejs", "Node.js"}, {"php", "PHP"}, {"python", "Python"}, {"ruby", "Ruby"}}
	dbs := []struct{ prefix, name string }{{"mysql", "MySQL"}, {"pgsql", "PostgreSQL"}, {"mongodb", "MongoDB"}}
	out := make([]paasType, 0, len(paasTypeNames))
	for i, name := range paasTypeNames {
		t := paasType{ID: i + 1, Name: name, CatalogPrefix: strings.ReplaceAll(name, ".", "")}
		rest := name
		for _, l := range langs {
			if strings.HasPrefix(rest, l.prefix) {
				t.Category, rest = l.prefix, strings.TrimPrefix(rest, l.prefix)
				break
			}
		}
		var lver string
		for _, d := range dbs {
			if j := strings.Index(rest, d.prefix); j >= 0 {
				lver = strings.Trim(rest[:j], ".")
				dver := strings.Trim(rest[j+len(d.prefix):], ".")
				t.Database = strings.TrimSpace(d.name + " " + dver)
				break
			}
		}
		for _, l := range langs {
			if l.prefix == t.Category {
				t.Language = strings.TrimSpace(l.name + " " + lver)
			}
		}
		t.Visibility = typeVisibility(name)
		out = append(out, t)
	}
	return out
}

func typeVisibility(name string) string {
	switch {
	case name == "php7.3mysql5.5":
		return "internal"
	case name == "ruby2.3pgsql9.7":
		return "alpha"
	case strings.HasPrefix(name, "php7.3"):
		return "beta"
	case strings.HasPrefix(name, "php5.") || strings.HasPrefix(name, "php.5") || strings.HasPrefix(name, "php7mysql"),
		strings.HasPrefix(name, "php7pgsql"), strings.HasPrefix(name, "php7mongodb"):
		return "deprecated"
	}
	return "all"
}

// snapshotProfile is one snapshot profile offered by the platform.
type snapshotProfile struct {
	ID          int
	Name        string
	KeptTotal   int
	QuotaFactor float64
	Schedules   []schedule
}

type schedule struct {
	Name        string
	KeptVersion int
}

var snapshotProfiles = []snapshotProfile{
	{7, "paas_normal", 3, 1.3, []schedule{{"daily", 1}, {"weekly", 1}, {"weekly4", 1}}},
	{8, "paas_full", 9, 1.6, []schedule{{"hourly6", 4}, {"daily", 3}, {"weekly", 1}, {"weekly4", 1}}},
	{9, "paas_minimal", 1, 1.1, []schedule{{"daily", 1}}},
}

func findProfile(id int) (snapshotProfile, bool) {
	for _, p := range snapshotProfiles {
		if p.ID == id {
			return p, true
		}
	}
	return snapshotProfile{}, false
}

func (p snapshotProfile) record() map[string]any {
	scheds := make([]any, len(p.Schedules))
	for i, s := range p.Schedules {
		scheds[i] = map[string]any{"name": s.Name, "kept_version": s.KeptVersion}
	}
	return map[string]any{"id": p.ID, "name": p.Name, "kept_total": p.KeptTotal, "quota_factor": p.QuotaFactor, "schedules": scheds}
}
