package approvals

import (
	"context"
	"fmt"
	"strings"

	"github.com/paasbot/paasbot/gandi"
	"github.com/paasbot/paasbot/internal/human"
	"github.com/paasbot/paasbot/reply"
)

// dryRefusal is a dry run that listed errors: the message for the
// requester and the reasons on one line for the audit log.
type dryRefusal struct {
	msg     reply.Message
	reasons string
}

// refusal explains a dry run's errors: each reason, and for a vhost whose
// domain is not proven the exact zone line to add (and, when Gandi says
// it, where the name must point).
func (e *Engine) refusal(ctx context.Context, gc Client, p Plan, list []gandi.ValidationError) *dryRefusal {
	var lines, reasons []string
	for _, v := range list {
		if _, txt := v.MissingTXT(); txt {
			continue
		}
		r := human.OrDefault(v.Reason, v.Error)
		if v.Field != "" {
			r = v.Field + ": " + r
		}
		lines = append(lines, "• "+r)
		reasons = append(reasons, r)
	}
	m := reply.Message{Visibility: reply.Private, Tone: reply.Error,
		Title: fmt.Sprintf("Gandi would refuse this %s of %s", actionVerb(p.Action), p.Target)}
	if len(lines) > 0 {
		m.Text = strings.Join(lines, "\n")
	}
	txts := gandi.MissingTXTRecords(list)
	for _, r := range txts {
		reasons = append(reasons, "missing TXT record for "+r.Vhost)
		block := fmt.Sprintf("%s needs a DNS TXT record proving the domain is yours. Add this line to its zone, then ask again:\n```%s```",
			r.Vhost, r.ZoneLine())
		if cname := e.cnameLine(ctx, gc, p, r.Vhost); cname != "" {
			block += "\nand point the name at the instance:\n```" + cname + "```"
		}
		if m.Text != "" {
			m.Text += "\n\n"
		}
		m.Text += block
	}
	m.Notes = []string{"Nothing was requested, stored or billed: this was Gandi's dry run."}
	if len(txts) > 0 {
		m.Notes = append(m.Notes, "`vhost dns <fqdn> datacenter=N` lists every record Gandi expects.")
	}
	return &dryRefusal{msg: m, reasons: strings.Join(reasons, "; ")}
}

// cnameLine asks paas.vhost.get_dns_entries where a sub-domain must point
// ("" when unknown, for an apex name, or when the call fails: the TXT line
// is what the dry run needs).
func (e *Engine) cnameLine(ctx context.Context, gc Client, p Plan, fqdn string) string {
	if strings.Count(strings.TrimSuffix(fqdn, "."), ".") < 2 {
		return ""
	}
	dc := 0
	if p.Create != nil {
		dc = p.Create.DatacenterID
	}
	if dc == 0 && p.InstanceID > 0 {
		ctx, cancel := context.WithTimeout(ctx, lookupTimeout)
		defer cancel()
		if info, err := gc.PaaS.Info(ctx, p.InstanceID); err == nil && info.Datacenter != nil {
			dc = info.Datacenter.ID
		}
	}
	if dc == 0 {
		return ""
	}
	ctx, cancel := context.WithTimeout(ctx, lookupTimeout)
	defer cancel()
	entries, err := gc.Vhosts.DNSEntries(ctx, gandi.DNSEntriesParams{Datacenter: dc, Vhost: fqdn})
	if err != nil || entries.CNAME == "" {
		return ""
	}
	return fmt.Sprintf("%s. 10800 IN CNAME %s", strings.TrimSuffix(fqdn, "."), entries.CNAME)
}
