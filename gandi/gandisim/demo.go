package gandisim

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"strings"
	"time"
)

// demoNames feed the generated instances after the three fixed ones.
var demoNames = []string{
	"api-prod", "api-staging", "wiki", "crm", "intranet", "landing", "docs", "status", "forum",
	"shop-eu", "shop-us", "newsletter", "analytics", "booking", "careers", "support", "legacy-cms",
	"assets", "partners", "events",
}

// SeedDemo gives the account of apiKey (created if needed, handle
// "DEMO-GANDI" for DemoAPIKey) n demo instances with vhosts and snapshots.
// The first three are always shop-prod (running, m, phpmysql, vhosts
// shop.example.com and www.shop.example.com, snapshot profile), shop-staging
// (s, expiring within 7 days, no snapshot profile) and blog (s, needs an
// upgrade, expiring within 30 days, old snapshots). The others spread over
// datacenters, types, sizes and states, with some expired, some expiring
// within 7 or 30 days, some needing an upgrade and some without snapshot
// profile or with stale snapshots. The result depends only on Options.Seed,
// apiKey and the clock; example.com is not proven, so creating a new vhost
// under it asks for a TXT record. Vhost names are global: for a second key
// they get a label of the account ("shop.sim123.example.com"). Call it once
// per key; a second call adds n more instances.
func (s *Server) SeedDemo(apiKey string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	handle := "DEMO-GANDI"
	if apiKey != DemoAPIKey {
		h := fnv.New32a()
		h.Write([]byte(apiKey))
		handle = fmt.Sprintf("SIM%d-GANDI", h.Sum32()%100000)
	}
	a := s.addAccountLocked(apiKey, handle)
	h := fnv.New64a()
	h.Write([]byte(apiKey))
	rng := rand.New(rand.NewPCG(uint64(s.opts.Seed), h.Sum64()))
	now := s.now()
	day := 24 * time.Hour

	fixed := []struct {
		name, size, typ string
		dc              int
		end             time.Duration
		upgrade         bool
		profile         int
		staleDays       int
		quantity        int
		vhosts          []string
	}{
		{"shop-prod", "m", "phpmysql", 1, 200 * day, false, 7, 0, 20, []string{"shop.example.com", "www.shop.example.com"}},
		{"shop-staging", "s", "phpmysql", 1, 5*day + 3*time.Hour, false, 0, 0, 0, []string{"staging.shop.example.com"}},
		{"blog", "s", "php7.1mysql5.7", 3, 21 * day, true, 9, 12, 0, []string{"blog.example.org"}},
	}
	for i := 0; i < n && i < len(fixed); i++ {
		f := fixed[i]
		in := s.demoInstance(a, rng, f.name, f.size, f.typ, f.dc, now, now.Add(f.end))
		in.needUpgrade, in.profileID, in.quantity = f.upgrade, f.profile, f.quantity
		for _, v := range f.vhosts {
			s.addVhost(in, s.freeDemoName(v, a), "running", in.dateStart.Add(10*time.Minute))
		}
		if f.profile != 0 {
			s.demoSnapshots(in, rng, now, f.staleDays)
		}
	}
	creatable := []string{}
	for _, t := range s.types {
		if t.creatable() {
			creatable = append(creatable, t.Name)
		}
	}
	sizeWeights := []string{"s", "s", "s", "s+", "s+", "m", "m", "m", "l", "l", "xl", "xxl"}
	for i := len(fixed); i < n; i++ {
		k := i - len(fixed)
		name := demoNames[k%len(demoNames)]
		if k >= len(demoNames) {
			name = fmt.Sprintf("%s-%d", name, k/len(demoNames)+1)
		}
		var end time.Time
		switch r := rng.IntN(100); {
		case r < 5: // expired a little while ago
			end = now.Add(-time.Duration(1+rng.IntN(20)) * day)
		case r < 15: // within 7 days
			end = now.Add(time.Duration(rng.IntN(7*24)) * time.Hour)
		case r < 30: // within 30 days
			end = now.Add(7*day + time.Duration(rng.IntN(23*24))*time.Hour)
		default:
			end = now.Add(30*day + time.Duration(rng.IntN(700*24))*time.Hour)
		}
		in := s.demoInstance(a, rng, name, sizeWeights[rng.IntN(len(sizeWeights))],
			creatable[rng.IntN(len(creatable))], datacenters[rng.IntN(len(datacenters))].ID, now, end)
		switch r := rng.IntN(100); {
		case end.Before(now):
			in.state = "paused"
		case r < 3:
			in.state = "locked"
		case r < 5:
			in.state = "paused"
		}
		in.needUpgrade = rng.IntN(100) < 20
		in.quantity = []int{0, 0, 0, 5, 10, 20, 50}[rng.IntN(7)]
		if rng.IntN(100) < 25 {
			c := end
			in.dateEndCommitment = &c
		}
		domain := s.freeDemoName(name+".example.net", a)
		s.addVhost(in, domain, "running", in.dateStart.Add(10*time.Minute))
		if rng.IntN(2) == 0 && s.vhosts["www."+domain] == nil {
			s.addVhost(in, "www."+domain, "running", in.dateStart.Add(12*time.Minute))
		}
		if rng.IntN(100) < 65 {
			in.profileID = snapshotProfiles[rng.IntN(len(snapshotProfiles))].ID
			stale := 0
			if rng.IntN(100) < 25 {
				stale = 8 + rng.IntN(40)
			}
			s.demoSnapshots(in, rng, now, stale)
		}
	}
}

// freeDemoName returns fqdn, or when another account already has it (vhost
// names are global), the same name under a label of the account
// ("shop.example.com" → "shop.sim12345.example.com").
func (s *Server) freeDemoName(fqdn string, a *account) string {
	if _, taken := s.vhosts[fqdn]; !taken {
		return fqdn
	}
	label := strings.ToLower(strings.TrimSuffix(a.handle, "-GANDI"))
	i := strings.Index(fqdn, "example.")
	if i < 0 {
		return label + "." + fqdn
	}
	return fqdn[:i] + label + "." + fqdn[i:]
}

// demoInstance adds a running instance started some months before now.
func (s *Server) demoInstance(a *account, rng *rand.Rand, name, size, typ string, dc int, now, end time.Time) *instance {
	start := now.AddDate(0, -(1 + rng.IntN(36)), -rng.IntN(28)).Truncate(time.Second)
	in := &instance{
		id: s.id("paas"), owner: a, name: name, size: size, typ: typ, datacenterID: dc, state: "running",
		dateStart: start, dateEnd: end.Truncate(time.Second), serverID: s.id("server"),
	}
	in.uuid, in.user = in.serverID+17000, in.id+1000000
	in.entityID = fmt.Sprintf("%08x-paas-%d", uint32(in.id)*2654435761, in.id)
	s.addInstance(in)
	return in
}

// demoSnapshots creates the snapshots the instance's profile keeps; with
// staleDays > 0 the newest is that many days old (the schedule stopped).
func (s *Server) demoSnapshots(in *instance, rng *rand.Rand, now time.Time, staleDays int) {
	p, ok := findProfile(in.profileID)
	if !ok {
		return
	}
	local := now.In(s.loc)
	newest := time.Date(local.Year(), local.Month(), local.Day(), 3, 0, 0, 0, s.loc)
	if newest.After(now) {
		newest = newest.AddDate(0, 0, -1)
	}
	newest = newest.AddDate(0, 0, -staleDays)
	base := 300 + rng.IntN(4000)
	for _, sc := range p.Schedules {
		step := map[string]time.Duration{"hourly6": 6 * time.Hour, "daily": 24 * time.Hour,
			"weekly": 7 * 24 * time.Hour, "weekly4": 28 * 24 * time.Hour}[sc.Name]
		for k := 0; k < sc.KeptVersion; k++ {
			offset := map[string]time.Duration{"weekly": 24 * time.Hour, "weekly4": 48 * time.Hour, "hourly6": -6 * time.Hour}[sc.Name]
			at := newest.Add(-time.Duration(k)*step - offset)
			if at.After(now) {
				continue
			}
			sn := &snapshot{
				id: s.id("snapshot"), paasID: in.id, typ: sc.Name, createdAt: at,
				size: base + rng.IntN(200), name: fmt.Sprintf("%s-%s", sc.Name, at.In(s.loc).Format("20060102-1504")),
			}
			s.snapshots[sn.id] = sn
		}
	}
}
