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
	var expiring, pending, alerts reply.Message
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
	wg.Go(func() { pending = c.homePending(ctx, req) })
	wg.Go(func() { alerts = c.homeAlerts(ctx, req) })
	wg.Wait()
	waiting, own := splitPending(pending, user)
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

func (c *Core) homePending(ctx context.Context, req Request) reply.Message {
	m, err := c.cfg.Approvals.Pending(ctx, actor(req))
	if err != nil {
		return reply.Message{Text: apperr.Message(ctx, c.log, "home: pending approvals", err)}
	}
	return m
}

// splitPending splits the engine's list of pending requests (Pending, as
// `approvals` shows it) into those user may decide, with their Approve and
// Deny, and user's own, with Cancel: the buttons carry the request's id.
func splitPending(all reply.Message, user string) (waiting, own reply.Message) {
	waiting = reply.Message{Title: "Waiting for your approval"}
	own = reply.Message{Title: "Your pending requests"}
	if all.Table == nil {
		waiting.Text, own.Text = "Nothing waits for you.", "You have no pending request."
		return waiting, own
	}
	decides, cancels := map[string][]reply.Button{}, map[string][]reply.Button{}
	for _, b := range all.Buttons {
		if b.Action == "approval.cancel" {
			cancels[b.Value] = append(cancels[b.Value], b)
		} else {
			decides[b.Value] = append(decides[b.Value], b)
		}
	}
	for _, row := range all.Table.Rows {
		if len(row) < 4 {
			continue
		}
		id := row[0]
		line := fmt.Sprintf("*#%s* %s · asked by %s · expires %s", id, row[1], row[2], row[3])
		switch {
		case len(decides[id]) > 0:
			waiting.Text += line + "\n"
			waiting.Buttons = append(append(waiting.Buttons, decides[id]...), cancels[id]...)
		case len(cancels[id]) > 0:
			own.Text += line + "\n"
			own.Buttons = append(own.Buttons, cancels[id]...)
		}
	}
	if waiting.Text == "" {
		waiting.Text = "Nothing waits for you."
	}
	if own.Text == "" {
		own.Text = "You have no pending request."
	}
	waiting.Text, own.Text = strings.TrimSpace(waiting.Text), strings.TrimSpace(own.Text)
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
