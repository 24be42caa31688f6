package commands

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/paasbot/paasbot/apperr"
	"github.com/paasbot/paasbot/gandi"
	"github.com/paasbot/paasbot/internal/human"
	"github.com/paasbot/paasbot/reply"
	"github.com/paasbot/paasbot/secret"
	"github.com/paasbot/paasbot/store"
)

// homeRows bounds each list of the App Home: a Home view holds at most 100
// blocks, and the commands list everything.
const homeRows = 10

// Home is a person's App Home (DESIGN §9), in sections: their key's
// status, their instances expiring within 30 days (most urgent first,
// each with its Renew button), the requests waiting for their approval
// (with Approve / Deny), their own pending requests (with Cancel), and
// the alerts they own. Gandi is asked once (paas.list), beside the
// store; a failure becomes a line of its section, never an empty Home.
// An anonymous team or user gets nothing.
func (c *Core) Home(ctx context.Context, team, user string) []reply.Message {
	if c.anonymous(ctx, team, user) != nil {
		return nil
	}
	req := Request{Team: team, User: user}
	var wg sync.WaitGroup
	var expiring, waiting, own, alerts reply.Message
	key, meta, keyErr := c.cfg.Store.APIKey(ctx, store.Identity{Team: team, User: user})
	keyMsg := reply.Message{Title: "paasbot", Text: "Your Gandi Simple Hosting instances from Slack. `/paas help` lists the commands."}
	if keyErr != nil {
		keyMsg.Fields = []reply.Field{{Label: "Your API key", Value: apperr.Message(ctx, c.log, "home: API key", keyError(keyErr))}}
		keyMsg.Buttons = []reply.Button{{Label: "Log in", Action: "cmd", Value: "login", Command: "login", Style: reply.Primary}}
		expiring = reply.Message{Title: "Expiring within 30 days", Text: "Log in to see your instances."}
	} else {
		keyMsg.Fields = []reply.Field{{Label: "Your API key", Value: fmt.Sprintf("fingerprint %s, stored %s", meta.Fingerprint, human.DateTime(&meta.CreatedAt))}}
		wg.Go(func() { expiring = c.homeExpiring(ctx, key) })
	}
	wg.Go(func() { waiting, own = c.homePending(ctx, req) })
	wg.Go(func() { alerts = c.homeAlerts(ctx, req) })
	wg.Wait()
	return []reply.Message{keyMsg, expiring, waiting, own, alerts}
}

// homeExpiring lists the instances whose date_end falls within
// expiryWarnDays (the expired ones first), with a Renew button each that
// opens the renew form.
func (c *Core) homeExpiring(ctx context.Context, key secret.Value) reply.Message {
	m := reply.Message{Title: fmt.Sprintf("Expiring within %d days", expiryWarnDays)}
	now := c.now()
	o := &gandi.PaasListOptions{Page: gandi.Page{ItemsPerPage: homeRows, SortBy: "date_end"}}
	o.DateEndBefore = gandi.DateFilter(now.AddDate(0, 0, expiryWarnDays))
	found, err := c.cfg.Gandi(key).PaaS.List(ctx, o)
	if err != nil {
		m.Text = apperr.Message(ctx, c.log, "home: paas.list", apperr.FromGandi(err, ""))
		return m
	}
	if len(found) == 0 {
		m.Text = fmt.Sprintf("Nothing expires within %d days.", expiryWarnDays)
		return m
	}
	t := &reply.Table{Columns: []string{"name", "expires", "", "size"}}
	for _, in := range found {
		rel := ""
		if in.DateEnd != nil {
			rel = human.RelDays(human.DaysUntil(now, *in.DateEnd))
		}
		t.Rows = append(t.Rows, []string{in.Name, human.Date(in.DateEnd), rel, string(in.Size)})
		id := strconv.Itoa(in.ID)
		m.Buttons = append(m.Buttons, reply.Button{Label: "Renew", Action: "cmd", Value: "renew " + id, Command: "renew " + id + " duration=12m"})
	}
	m.Table, m.RowButtons = t, true
	m.Notes = []string{"Dates are Paris time. `/paas list expires-within=30d` lists them all."}
	return m
}

// homePending splits the pending requests user may see into those they
// may decide, with Approve and Deny, and their own, with Cancel.
func (c *Core) homePending(ctx context.Context, req Request) (waiting, own reply.Message) {
	waiting = reply.Message{Title: "Waiting for your approval"}
	own = reply.Message{Title: "Your pending requests"}
	items, err := c.cfg.Approvals.PendingFor(ctx, actor(req))
	if err != nil {
		waiting.Text = apperr.Message(ctx, c.log, "home: pending approvals", err)
		own.Text = waiting.Text
		return waiting, own
	}
	var waits, owns []string
	for _, it := range items {
		line := fmt.Sprintf("*#%d* %s · asked by %s · expires in %s", it.ID, it.Summary, human.Person(it.Requester), human.Duration(it.ExpiresAt.Sub(c.now())))
		switch {
		case it.MayDecide:
			waits = append(waits, line)
			waiting.Buttons = append(waiting.Buttons, it.Buttons...)
		case len(it.Buttons) > 0:
			owns = append(owns, line)
			own.Buttons = append(own.Buttons, it.Buttons...)
		}
	}
	waiting.Text, own.Text = "Nothing waits for you.", "You have no pending request."
	if len(waits) > 0 {
		waiting.Text = strings.Join(waits, "\n")
	}
	if len(owns) > 0 {
		own.Text = strings.Join(owns, "\n")
	}
	return waiting, own
}

func (c *Core) homeAlerts(ctx context.Context, req Request) reply.Message {
	m := reply.Message{Title: "Your alerts"}
	subs, err := c.cfg.Store.Subscriptions(ctx, req.Team)
	if err != nil {
		c.log.ErrorContext(ctx, "home: subscriptions", "err", err)
		m.Text = "paasbot could not read the alerts right now."
		return m
	}
	var lines []string
	for _, s := range subs {
		if s.Owner != req.User {
			continue
		}
		line := fmt.Sprintf("*#%d* %s report in %s · %s (%s)", s.ID, s.Kind, s.Channel, s.Schedule, human.OrDefault(s.TZ, "default zone"))
		if s.Paused {
			line += " · paused: " + s.PausedReason
		}
		lines = append(lines, line)
	}
	if len(lines) == 0 {
		m.Text = "You own no scheduled report. `/paas alerts add expiry` adds one in a channel."
		return m
	}
	if len(lines) > homeRows {
		lines = append(lines[:homeRows], fmt.Sprintf("… and %d more: `/paas alerts list`.", len(lines)-homeRows))
	}
	m.Text = strings.Join(lines, "\n")
	return m
}
