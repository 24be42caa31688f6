package gandisim

import (
	"fmt"
	"sort"
	"time"
)

// account is one API key's view of the platform.
type account struct {
	id     int
	key    string
	handle string
	zones  map[string]bool // zones the account manages at Gandi DNS
	// credit is the prepaid balance in EUR; nil means unlimited.
	credit *float64
}

// instance is one PaaS instance. Times are absolute; the encoder renders
// them in Europe/Paris.
type instance struct {
	id                int
	owner             *account
	name              string
	size              string
	typ               string
	datacenterID      int
	state             string
	dateStart         time.Time
	dateEnd           time.Time
	dateEndCommitment *time.Time
	needUpgrade       bool
	profileID         int // 0: no snapshot profile
	quantity          int // additional disk, GB
	consoleEnabled    bool
	consoleEnd        *time.Time
	serverID          int
	uuid              int
	user              int
	entityID          string
}

type vhost struct {
	id        int
	paasID    int
	name      string
	state     string
	createdAt time.Time
	entityID  string
}

type snapshot struct {
	id        int
	paasID    int
	name      string
	size      int // MB
	typ       string
	createdAt time.Time
}

// operation is one asynchronous job. Its step is derived from the clock:
// BILL, then WAIT, then RUN, then DONE (or ERROR when failWith is set) at
// doneAt.
type operation struct {
	id        int
	owner     *account
	typ       string
	paasID    int
	params    map[string]any
	createdAt time.Time
	doneAt    time.Time
	failWith  string
	settled   bool
	// onDone and onFail change the platform's state when the operation ends.
	onDone func()
	onFail func()
}

// step returns the operation's step at now.
func (o *operation) step(now time.Time) string {
	total := o.doneAt.Sub(o.createdAt)
	el := now.Sub(o.createdAt)
	switch {
	case el >= total:
		if o.failWith != "" {
			return "ERROR"
		}
		return "DONE"
	case el >= total*3/10:
		return "RUN"
	case el >= total/10:
		return "WAIT"
	}
	return "BILL"
}

func (o *operation) record(now time.Time) map[string]any {
	step := o.step(now)
	var dateStart, lastErr, errType any
	if step == "RUN" || step == "DONE" || step == "ERROR" {
		dateStart = o.createdAt.Add(o.doneAt.Sub(o.createdAt) * 3 / 10)
	}
	updated := now
	if now.After(o.doneAt) {
		updated = o.doneAt
	}
	eta := int(o.doneAt.Sub(now) / time.Second)
	if eta < 0 {
		eta = 0
	}
	if step == "ERROR" {
		lastErr, errType = o.failWith, "internal"
	}
	params := map[string]any{}
	for k, v := range o.params {
		params[k] = v
	}
	params["param_type"] = o.typ
	r := map[string]any{
		"id":           o.id,
		"type":         o.typ,
		"step":         step,
		"date_created": o.createdAt,
		"date_updated": updated,
		"date_start":   dateStart,
		"eta":          eta,
		"last_error":   lastErr,
		"errortype":    errType,
		"source":       o.owner.handle,
		"session_id":   o.owner.id,
		"params":       params,
		"infos": map[string]any{
			"extras": map[string]any{}, "id": "", "label": fmt.Sprint(o.params["name"]),
			"product_action": o.typ, "product_name": "paas", "product_type": "paas", "quantity": "",
		},
	}
	if o.paasID != 0 {
		r["paas_id"] = o.paasID
	}
	return r
}

// advance settles every operation that ended by now, in the order they
// ended, applying their effects. Callers hold s.mu.
func (s *Server) advance(now time.Time) {
	if len(s.pending) == 0 {
		return
	}
	var due []*operation
	kept := s.pending[:0]
	for _, o := range s.pending {
		if !o.doneAt.After(now) {
			due = append(due, o)
		} else {
			kept = append(kept, o)
		}
	}
	for i := len(kept); i < len(s.pending); i++ {
		s.pending[i] = nil
	}
	s.pending = kept
	sort.SliceStable(due, func(i, j int) bool { return due[i].doneAt.Before(due[j].doneAt) })
	for _, o := range due {
		o.settled = true
		if o.failWith != "" {
			if o.onFail != nil {
				o.onFail()
			}
		} else if o.onDone != nil {
			o.onDone()
		}
	}
}

// dcHost is the datacenter's part of platform host names ("dc0").
func dcHost(id int) string {
	if dc, ok := findDatacenter(id); ok {
		return dc.host
	}
	return "dc0"
}

func (in *instance) catalogName() string { return in.typ + "_" + in.size }

func (in *instance) console() string {
	return fmt.Sprintf("%d@console.%s.gpaas.net", in.user, dcHost(in.datacenterID))
}

func (in *instance) profileRecord() any {
	if p, ok := findProfile(in.profileID); ok {
		return p.record()
	}
	return nil
}

// listRecord is PaasListReturn.
func (in *instance) listRecord() map[string]any {
	return map[string]any{
		"catalog_name":              in.catalogName(),
		"console":                   in.console(),
		"data_disk_additional_size": in.quantity,
		"datacenter_id":             in.datacenterID,
		"date_end":                  in.dateEnd,
		"date_end_commitment":       in.dateEndCommitment,
		"date_start":                in.dateStart,
		"entity_id":                 in.entityID,
		"id":                        in.id,
		"name":                      in.name,
		"need_upgrade":              in.needUpgrade,
		"servers":                   []any{map[string]any{"id": in.serverID}},
		"size":                      in.size,
		"snapshot_profile":          in.profileRecord(),
		"state":                     in.state,
		"type":                      in.typ,
	}
}

// infoRecord is PaasReturn; vhosts are the instance's own.
func (in *instance) infoRecord(vhosts []*vhost) map[string]any {
	r := in.listRecord()
	dc, _ := findDatacenter(in.datacenterID)
	host := dcHost(in.datacenterID)
	// The reference gives datadisk_total_size in megabytes: the 10 GB base
	// disk plus the additional disk, grown by the snapshot profile's quota.
	total := float64(10+in.quantity) * 1024
	if p, ok := findProfile(in.profileID); ok {
		total *= p.QuotaFactor
	}
	vs := make([]any, 0, len(vhosts))
	for _, v := range vhosts {
		vs = append(vs, map[string]any{
			"date_creation": v.createdAt, "id": v.id, "name": v.name,
			"paas_entity_id": in.entityID, "state": v.state,
		})
	}
	r["autorenew"] = nil
	r["console_info"] = map[string]any{"enabled": in.consoleEnabled, "date_end": in.consoleEnd}
	r["datacenter"] = dc.info()
	r["datadisk_total_size"] = total
	r["ftp_server"] = "sftp." + host + ".gpaas.net"
	r["git_server"] = "git." + host + ".gpaas.net"
	r["owner"] = map[string]any{"handle": in.owner.handle, "id": in.owner.id}
	r["servers"] = []any{map[string]any{
		"graph_urls": map[string]any{"vcpu": []any{""}, "vdi": []any{""}, "vif": []any{""}},
		"id":         in.serverID, "uuid": in.uuid,
	}}
	r["user"] = in.user
	r["vhosts"] = vs
	delete(r, "datacenter_id")
	return r
}

// record is PaasVHostReturn.
func (v *vhost) record() map[string]any {
	return map[string]any{
		"cert_id": nil, "date_creation": v.createdAt, "id": v.id, "name": v.name,
		"paas_entity_id": v.entityID, "paas_id": v.paasID, "state": v.state,
	}
}

// record is PaasSnapshotReturn (with the id paas.snapshot.info takes).
func (sn *snapshot) record(in *instance) map[string]any {
	src := map[string]any{"paas_id": sn.paasID, "datacenter_id": 0, "state": "deleted"}
	if in != nil {
		src["datacenter_id"] = in.datacenterID
		src["state"] = "created"
	}
	return map[string]any{
		"id": sn.id, "date_created": sn.createdAt, "name": sn.name, "size": sn.size,
		"source": src, "type": sn.typ,
	}
}
