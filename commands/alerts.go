package commands

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/paasbot/paasbot/apperr"
	"github.com/paasbot/paasbot/internal/human"
	"github.com/paasbot/paasbot/reply"
	"github.com/paasbot/paasbot/store"
)

// AlertScheduler is what the alerts commands need of the scheduler
// (*alerts.Scheduler implements it; cmd/paasbot wires it, so that this
// package never imports alerts). Every error it returns has a message
// written for people, holding no secret.
type AlertScheduler interface {
	// Prepare checks and completes a new subscription (kind, schedule and
	// zone with their defaults, days and quiet into Params) and returns
	// its next n runs in its zone.
	Prepare(sub *store.Subscription, days *int, quiet *bool, n int) ([]time.Time, error)
	// Describe gives a stored subscription's parameters in words and its
	// next n runs in its zone.
	Describe(sub store.Subscription, n int) (params string, next []time.Time, err error)
	// RunNow scans and posts the report of subscription id now, even if
	// empty, without touching its scheduled slots. Its errors are
	// store.ErrNotFound for a removed subscription, errors with a
	// PublicMessage() string written for a person (why the report did not
	// run or was not posted), or failures whose text is for the log only;
	// a Gandi error inside any of them is told with its own sentence.
	RunNow(ctx context.Context, id int64) error
	// Reload tells the scheduler that subscriptions changed.
	Reload()
}

// alertKinds are the report kinds, as the alerts package names them.
var alertKinds = []string{"expiry", "upgrade", "snapshots"}

// alertCommands are the "alerts" commands, added to the registry by New.
func (c *Core) alertCommands() []*CommandSpec {
	idArg := []Param{{Name: "id", Kind: KindString, Required: true, Hint: "<id>", Help: "the alert's number, from `alerts list`"}}
	return []*CommandSpec{
		{Name: "alerts list", Aliases: []string{"ls"}, Summary: "the scheduled reports of this workspace",
			NoKey: true, Run: runAlertsList, Examples: []string{"alerts list"}},
		{Name: "alerts add", Summary: "post a report on a schedule (your API key scans)",
			Args: []Param{
				{Name: "kind", Kind: KindEnum, Enum: alertKinds, Required: true, Hint: "expiry|upgrade|snapshots",
					Help: "expiry: instances expiring within days; upgrade: need_upgrade; snapshots: no profile or no snapshot newer than days"},
				{Name: "channel", Kind: KindString, Hint: "#channel", Help: "where to post (default: here)"},
			},
			Keys: []Param{
				{Name: "schedule", Kind: KindString, Hint: `"0 9 * * 1-5"`, Help: "cron (minute hour day month weekday) or @daily, @hourly, @weekly, @every 6h; default weekdays 09:00"},
				{Name: "tz", Aliases: []string{"zone"}, Kind: KindString, Hint: "Europe/Paris", Help: "IANA time zone of the schedule and of the dates shown"},
				{Name: "days", Kind: KindDays, Hint: "30", Help: "expiry: horizon (default 30); snapshots: max age of the newest snapshot (default 7)"},
				{Name: "quiet", Kind: KindBool, Switch: true, Hint: "on|off", Help: "post nothing when there is nothing to report (default on)"},
			},
			Run: runAlertsAdd,
			Examples: []string{`alerts add expiry days=30 schedule="0 9 * * 1-5"`, "alerts add upgrade #ops schedule=@daily tz=Europe/Paris",
				"alerts add snapshots days=2 quiet=off"}},
		{Name: "alerts remove", Aliases: []string{"rm", "delete"},
			Summary: "stop a scheduled report (anyone here may; when it is not yours, its channel is told who removed it)", Args: idArg,
			NoKey: true, Run: runAlertsRemove, Examples: []string{"alerts remove 3"}},
		// run is NoKey so that everyone who is not the owner gets the same
		// refusal naming the owner, key or not; the owner's own key scans.
		{Name: "alerts run", Summary: "post your scheduled report now (only its owner: it scans with their key)", Args: idArg,
			NoKey: true, Run: runAlertsRun, Examples: []string{"alerts run 3"}},
		{Name: "alerts takeover", Summary: "resume a paused report with your key (its channel is told)", Args: idArg,
			Run: runAlertsTakeover, Examples: []string{"alerts takeover 3"}},
	}
}

// alerts returns the scheduler or the error saying alerts are off.
func (c *Core) alerts() (AlertScheduler, error) {
	if c.cfg.Alerts == nil {
		return nil, apperr.Errorf(apperr.EUNAVAILABLE, "Scheduled reports: alerts are not available yet in this paasbot (it was started without the scheduler).")
	}
	return c.cfg.Alerts, nil
}

const alertTimeLayout = "Mon 2006-01-02 15:04 MST"

func runAlertsList(ctx context.Context, c *Core, call *Call) (reply.Message, error) {
	sched, err := c.alerts()
	if err != nil {
		return reply.Message{}, err
	}
	subs, err := c.cfg.Store.Subscriptions(ctx, call.Req.Team)
	if err != nil {
		return reply.Message{}, fmt.Errorf("list subscriptions: %w", err)
	}
	if len(subs) == 0 {
		return reply.Message{Text: "No scheduled reports yet.",
			Notes: []string{"Add one with `/paas alerts add expiry days=30` (in the channel that should get it)."}}, nil
	}
	t := &reply.Table{
		Columns: []string{"id", "kind", "channel", "schedule", "zone", "options", "owner", "next run"},
		Align:   []bool{true},
	}
	paused := 0
	for _, s := range subs {
		params, next, derr := sched.Describe(s, 1)
		nextRun := "-"
		switch {
		case s.Paused:
			paused++
			nextRun = "paused"
		case derr != nil:
			nextRun = "broken: " + derr.Error()
		case len(next) == 1:
			nextRun = next[0].Format(alertTimeLayout)
		}
		t.Rows = append(t.Rows, []string{strconv.FormatInt(s.ID, 10), s.Kind, channelLabel(s.Channel, call.Req.Channel),
			s.Schedule, human.OrDash(s.TZ), human.OrDash(params), human.Person(s.Owner), nextRun})
	}
	m := reply.Message{Title: fmt.Sprintf("Scheduled reports (%d)", len(subs)), Table: t,
		Notes: []string{"`alerts run <id>` posts one of yours now; `alerts remove <id>` stops one."}}
	if paused > 0 {
		verb := "reports are"
		if paused == 1 {
			verb = "report is"
		}
		m.Notes = append(m.Notes, fmt.Sprintf("%d %s paused because the owner's key is gone or refused: `alerts takeover <id>` resumes one with your key.",
			paused, verb))
	}
	return m, nil
}

func runAlertsAdd(ctx context.Context, c *Core, call *Call) (reply.Message, error) {
	sched, err := c.alerts()
	if err != nil {
		return reply.Message{}, err
	}
	channel := call.Req.Channel
	if arg := call.Arg(1); arg != "" {
		channel = channelArg(arg, call.ArgLink(1))
	}
	if channel == "" {
		return reply.Message{}, apperr.Errorf(apperr.EINVALID, "Name the channel to post in, for example `alerts add %s #ops`.", call.Arg(0))
	}
	sub := &store.Subscription{
		Team: call.Req.Team, Channel: channel, Owner: call.Req.User, Kind: call.Arg(0),
		Schedule: call.String("schedule"), TZ: call.String("tz"),
	}
	var days *int
	var quiet *bool
	if call.Has("days") {
		d := call.Days("days")
		days = &d
	}
	if call.Has("quiet") {
		q := call.Bool("quiet")
		quiet = &q
	}
	next, err := sched.Prepare(sub, days, quiet, 3)
	if err != nil {
		return reply.Message{}, &apperr.Error{Code: apperr.EINVALID, Message: human.Sentence(err.Error()), Err: err}
	}
	// A second report of one kind in one channel is most often a slip
	// (the same add twice): it is added, and the reply says so.
	var twins []string
	if existing, err := c.cfg.Store.Subscriptions(ctx, sub.Team); err == nil {
		for _, x := range existing {
			if x.Channel == sub.Channel && x.Kind == sub.Kind {
				twins = append(twins, "#"+strconv.FormatInt(x.ID, 10))
			}
		}
	}
	id, err := c.cfg.Store.CreateSubscription(ctx, sub)
	if err != nil {
		return reply.Message{}, fmt.Errorf("create subscription: %w", err)
	}
	sched.Reload()
	c.alertAudit(ctx, call, "alerts.add", id, "done", sub.Params)
	params, _, _ := sched.Describe(*sub, 0)
	var runs []string
	for _, n := range next {
		runs = append(runs, n.Format(alertTimeLayout))
	}
	m := reply.Message{
		Tone:  reply.Success,
		Title: fmt.Sprintf("Alert #%d added: %s report in %s", id, sub.Kind, channelLabel(sub.Channel, call.Req.Channel)),
		Fields: []reply.Field{
			{Label: "Schedule", Value: fmt.Sprintf("%s (%s)", sub.Schedule, sub.TZ)},
			{Label: "Options", Value: params},
			{Label: "Next runs", Value: strings.Join(runs, "\n")},
		},
		Notes: []string{
			"Your Gandi key scans the account; if it goes away the report pauses until someone runs `alerts takeover " + strconv.FormatInt(id, 10) + "`.",
			"`alerts run " + strconv.FormatInt(id, 10) + "` posts it now. paasbot must be a member of the channel to post there.",
		},
	}
	if len(twins) > 0 {
		m.Tone = reply.Warning
		m.Notes = append([]string{fmt.Sprintf("⚠ This channel already gets a %s report (alert %s): it will get both. `alerts remove %s` removes the older one.",
			sub.Kind, strings.Join(twins, ", "), strings.TrimPrefix(twins[0], "#"))}, m.Notes...)
	}
	return m, nil
}

// alertOf is the scheduler and the subscription a command names (its
// first word), or the error to answer: alerts are off, the id is not a
// number, or there is no such alert in the caller's team.
func (c *Core) alertOf(ctx context.Context, call *Call) (AlertScheduler, *store.Subscription, error) {
	sched, err := c.alerts()
	if err != nil {
		return nil, nil, err
	}
	sub, err := c.alertFor(ctx, call)
	return sched, sub, err
}

// alertFor loads subscription id of the caller's team, or ENOTFOUND.
func (c *Core) alertFor(ctx context.Context, call *Call) (*store.Subscription, error) {
	raw := strings.TrimPrefix(strings.TrimSpace(call.Arg(0)), "#")
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return nil, apperr.Errorf(apperr.EINVALID, "%s is not an alert number; `alerts list` shows them.", quoteWord(call.Arg(0)))
	}
	sub, err := c.cfg.Store.Subscription(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && sub.Team != call.Req.Team) {
		return nil, &apperr.Error{Code: apperr.ENOTFOUND, Message: fmt.Sprintf("There is no alert #%d here; `alerts list` shows them.", id), Err: err}
	}
	if err != nil {
		return nil, fmt.Errorf("read subscription %d: %w", id, err)
	}
	return sub, nil
}

func runAlertsRemove(ctx context.Context, c *Core, call *Call) (reply.Message, error) {
	sched, sub, err := c.alertOf(ctx, call)
	if err != nil {
		return reply.Message{}, err
	}
	if err := c.cfg.Store.DeleteSubscription(ctx, call.Req.Team, sub.ID); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return reply.Message{}, &apperr.Error{Code: apperr.ENOTFOUND, Message: fmt.Sprintf("Alert #%d was already removed.", sub.ID), Err: err}
		}
		return reply.Message{}, fmt.Errorf("delete subscription %d: %w", sub.ID, err)
	}
	sched.Reload()
	c.alertAudit(ctx, call, "alerts.remove", sub.ID, "done", nil)
	if sub.Owner != call.Req.User {
		// Anyone in the team may stop a report (its owner may have left),
		// but the channel that got it learns who did, so it is never lost
		// silently.
		c.alertNotice(ctx, sub, fmt.Sprintf("Alert #%d (%s report, set up by %s) was removed by %s.",
			sub.ID, sub.Kind, human.Person(sub.Owner), human.Person(call.Req.User)))
	}
	return reply.Message{Tone: reply.Success, Text: fmt.Sprintf("Alert #%d (%s report in %s) removed.",
		sub.ID, sub.Kind, channelLabel(sub.Channel, call.Req.Channel))}, nil
}

func runAlertsRun(ctx context.Context, c *Core, call *Call) (reply.Message, error) {
	sched, sub, err := c.alertOf(ctx, call)
	if err != nil {
		return reply.Message{}, err
	}
	if sub.Owner != call.Req.User {
		// The scan uses the owner's key: DESIGN §7 keeps a key for its
		// owner's own commands and subscriptions.
		return reply.Message{}, apperr.Errorf(apperr.EUNAUTHORIZED,
			"Alert #%d belongs to %s and scans with their Gandi key, so only they can run it now. `alerts add %s` sets up your own.",
			sub.ID, human.Person(sub.Owner), sub.Kind)
	}
	if sub.Paused {
		return reply.Message{}, apperr.Errorf(apperr.EINVALID, "Alert #%d is paused (%s). Someone with a Gandi key can resume it with `alerts takeover %d`.",
			sub.ID, human.OrDash(sub.PausedReason), sub.ID)
	}
	if err := sched.RunNow(ctx, sub.ID); err != nil {
		return reply.Message{}, alertRunError(sub.ID, err)
	}
	return reply.Message{Tone: reply.Success, Text: fmt.Sprintf("Alert #%d: the %s report was posted in %s.",
		sub.ID, sub.Kind, channelLabel(sub.Channel, call.Req.Channel))}, nil
}

func runAlertsTakeover(ctx context.Context, c *Core, call *Call) (reply.Message, error) {
	sched, sub, err := c.alertOf(ctx, call)
	if err != nil {
		return reply.Message{}, err
	}
	mine := sub.Owner == call.Req.User
	switch {
	case mine && !sub.Paused:
		return reply.Message{Text: fmt.Sprintf("Alert #%d is already yours and running; nothing to take over.", sub.ID)}, nil
	case !mine && !sub.Paused:
		// A working alert keeps its owner: switching it to another key
		// would scan another account without its owner's say.
		return reply.Message{}, apperr.Errorf(apperr.EUNAUTHORIZED,
			"Alert #%d belongs to %s and is running; it can be taken over only once it is paused (its owner's key gone or refused). `alerts add %s` sets up your own.",
			sub.ID, human.Person(sub.Owner), sub.Kind)
	}
	if err := c.cfg.Store.TakeOverSubscription(ctx, sub.ID, call.Req.User); err != nil {
		switch {
		case errors.Is(err, store.ErrConflict):
			// Resumed (its owner logged in again) since it was read.
			return reply.Message{}, &apperr.Error{Code: apperr.ECONFLICT, Err: err,
				Message: fmt.Sprintf("Alert #%d is running again with its owner's key; nothing to take over.", sub.ID)}
		case errors.Is(err, store.ErrNotFound):
			return reply.Message{}, &apperr.Error{Code: apperr.ENOTFOUND, Message: fmt.Sprintf("Alert #%d was removed.", sub.ID), Err: err}
		}
		return reply.Message{}, fmt.Errorf("take over subscription %d: %w", sub.ID, err)
	}
	sched.Reload()
	c.alertAudit(ctx, call, "alerts.takeover", sub.ID, "done", nil)
	notice := fmt.Sprintf("Alert #%d (%s report) was paused and is resumed by %s, whose Gandi key scans for it from now on.",
		sub.ID, sub.Kind, human.Person(call.Req.User))
	if mine {
		notice = fmt.Sprintf("Alert #%d (%s report) was paused and is resumed by its owner %s.", sub.ID, sub.Kind, human.Person(call.Req.User))
	}
	c.alertNotice(ctx, sub, notice)
	text := fmt.Sprintf("You now own alert #%d (%s report in %s): your Gandi key scans for it.", sub.ID, sub.Kind, channelLabel(sub.Channel, call.Req.Channel))
	if mine {
		text = fmt.Sprintf("Alert #%d (%s report in %s) is yours again: your Gandi key scans for it.", sub.ID, sub.Kind, channelLabel(sub.Channel, call.Req.Channel))
	}
	text += " It was paused and runs again from its next slot."
	return reply.Message{Tone: reply.Success, Text: text}, nil
}

// alertNotice posts a one-line notice in the alert's channel, so that the
// people who get a report learn who changed it. A failed post is logged,
// not returned: the change itself is done and audited.
func (c *Core) alertNotice(ctx context.Context, sub *store.Subscription, text string) {
	if c.cfg.Notifier == nil {
		return
	}
	if _, err := c.cfg.Notifier.Post(ctx, sub.Channel, reply.Message{Text: text}); err != nil {
		c.log.WarnContext(ctx, "alert notice not posted", "alert", sub.ID, "channel", sub.Channel, "err", err)
	}
}

// alertAudit records an alerts command in the audit log (never a secret:
// params are the report's days and quiet).
func (c *Core) alertAudit(ctx context.Context, call *Call, action string, id int64, outcome string, params json.RawMessage) {
	c.audit(ctx, call.Req.Team, call.Req.User, action, "alert #"+strconv.FormatInt(id, 10), outcome, params)
}

// channelArg is the channel the person named: the id of Slack's
// <#C123|ops> link (the parser keeps its target, "#C123"), or the name as
// typed when it was not a link (the shell, or a plain "#ops", which Slack's
// chat.postMessage also accepts).
func channelArg(arg, link string) string {
	if id, ok := strings.CutPrefix(link, "#"); ok && id != "" {
		return id
	}
	return arg
}

// channelLabel writes a channel for a reply: "this channel" when it is
// where the person typed.
func channelLabel(channel, here string) string {
	if channel == here {
		return "this channel"
	}
	return channel
}

// alertRunError tells why `alerts run` posted nothing. Only what RunNow
// wrote for people reaches the reply; any other error is internal, shown
// by its ref and logged, never as its raw text.
func alertRunError(id int64, err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return &apperr.Error{Code: apperr.ENOTFOUND, Message: fmt.Sprintf("Alert #%d was removed.", id), Err: err}
	}
	var ge *apperr.Error
	if errors.As(apperr.FromGandi(err, ""), &ge) && ge.Code != apperr.EINTERNAL {
		return &apperr.Error{Code: ge.Code, Message: fmt.Sprintf("Alert #%d did not run: %s", id, ge.Message), Err: err}
	}
	var public interface{ PublicMessage() string }
	if errors.As(err, &public) {
		return &apperr.Error{Code: apperr.EUNAVAILABLE, Message: fmt.Sprintf("Alert #%d did not run: %s.", id, public.PublicMessage()), Err: err}
	}
	return fmt.Errorf("alert #%d: %w", id, err)
}
