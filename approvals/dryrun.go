package approvals

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/paasbot/paasbot/apperr"
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

// dryRun makes the plan's call with "--dry-run" and the requester's key
// (paid calls and vhost create; the other actions have no dry run). It
// returns a refusal when Gandi lists errors, an *apperr.Error when the dry run
// itself failed (unknown instance, refused key…), and nil, nil when the
// real call would be accepted. A password the call needs is a throw-away
// one here: the real password is generated at execution.
func (e *Engine) dryRun(ctx context.Context, gc Client, p Plan) (*dryRefusal, error) {
	var list []gandi.ValidationError
	var err error
	notFound := fmt.Sprintf("no instance %s in your account", p.Target)
	switch p.Action {
	case ActionCreate:
		if p.Create == nil {
			return nil, errors.New("create plan without params")
		}
		params := *p.Create
		pw, err := generatePassword(e.cfg.Rand)
		if err != nil {
			return nil, err
		}
		params.Password = pw.Reveal()
		list, err = gc.PaaS.CreateDryRun(ctx, params)
	case ActionUpdate:
		if p.Update == nil {
			return nil, errors.New("update plan without params")
		}
		params := *p.Update
		if p.GeneratePassword {
			pw, err := generatePassword(e.cfg.Rand)
			if err != nil {
				return nil, err
			}
			params.Password = pw.Reveal()
		}
		list, err = gc.PaaS.UpdateDryRun(ctx, p.InstanceID, params)
	case ActionRenew:
		if p.Renew == nil {
			return nil, errors.New("renew plan without params")
		}
		list, err = gc.PaaS.RenewDryRun(ctx, p.InstanceID, *p.Renew)
	case ActionVhostCreate:
		if p.Vhost == nil {
			return nil, errors.New("vhost plan without params")
		}
		list, err = gc.Vhosts.CreateDryRun(ctx, gandi.VhostCreateParams{PaasID: p.Vhost.PaasID, Vhost: p.Vhost.FQDN,
			ZoneAlter: p.Vhost.ZoneAlter, Override: p.Vhost.Override})
	default:
		return nil, nil
	}
	if err != nil {
		return nil, apperr.FromGandi(err, notFound)
	}
	if len(list) == 0 {
		return nil, nil
	}
	if answeredLikeARealCall(list) {
		e.log.ErrorContext(ctx, "Gandi answered a dry run with items that are not validation errors: the flag may have been ignored and the call run",
			"action", p.Action, "target", p.Target, "items", len(list))
		return nil, apperr.Errorf(apperr.ECONFLICT, "Gandi answered the dry run of this %s like a real call: it may have run already. "+
			"Check `/paas %s` before asking again; no approval was requested.", actionVerb(p.Action), checkCommand(p))
	}
	return e.refusal(ctx, gc, p, list), nil
}

// answeredLikeARealCall reports whether a dry run's answer holds items
// with no error, field or reason: what operations decode to. The reference
// documents "--dry-run" for create (and vhost create) only; a server that
// ignored it elsewhere would have run the call and answered operations.
func answeredLikeARealCall(list []gandi.ValidationError) bool {
	for _, v := range list {
		if v.Error == "" && v.Reason == "" && v.Field == "" {
			return true
		}
	}
	return false
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
