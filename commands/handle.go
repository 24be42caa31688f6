package commands

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/paasbot/paasbot/apperr"
	"github.com/paasbot/paasbot/internal/human"
	"github.com/paasbot/paasbot/reply"
	"github.com/paasbot/paasbot/secret"
	"github.com/paasbot/paasbot/store"
)

// Handle runs one typed command and returns the reply to show the caller.
// A request with an empty Team or User is refused (apperr.EINVALID). It never
// panics: a panic becomes an internal error whose reference is in
// the log. Errors are rendered as Tone Error messages (private). Replies
// about the caller's own account are private unless they add --share.
func (c *Core) Handle(ctx context.Context, req Request) (msg reply.Message) {
	name := "unknown"
	defer func() {
		if r := recover(); r != nil {
			err := &apperr.Error{Code: apperr.EINTERNAL, Err: fmt.Errorf("panic: %v", r)}
			msg = c.errorReply(ctx, name, req, err, debug.Stack())
			c.observe(name, apperr.EINTERNAL)
		}
	}()
	if err := c.anonymous(ctx, req.Team, req.User); err != nil {
		c.observe(name, apperr.EINVALID)
		return c.errorReply(ctx, name, req, err, nil)
	}
	if m, ok, err := c.maybeForm(ctx, req); ok {
		if err != nil {
			c.observe("form", apperr.CodeOf(err))
			return c.errorReply(ctx, "form", req, err, nil)
		}
		c.observe("form", "")
		return m
	}
	call, err := c.prepare(ctx, req)
	if call != nil {
		name = call.Spec.Name
	}
	if err == nil {
		msg, err = call.Spec.Run(ctx, c, call)
	}
	if err != nil {
		c.observe(name, apperr.CodeOf(err))
		return c.errorReply(ctx, name, req, err, nil)
	}
	c.observe(name, "")
	if call.Share && msg.Tone != reply.Error {
		msg.Visibility = reply.Shared
		sharedBy(&msg, req.User)
	}
	return msg
}

// anonymous refuses a request, click or form that names no workspace or
// no user (a transport bug or a forged payload): keys, approvals and
// subscriptions are scoped by team and user, and the store reads an empty
// team as every team in some listings. It is logged as a warning.
func (c *Core) anonymous(ctx context.Context, team, user string) error {
	if strings.TrimSpace(team) != "" && strings.TrimSpace(user) != "" {
		return nil
	}
	c.log.WarnContext(ctx, "request without a team or a user refused", "has_team", strings.TrimSpace(team) != "", "has_user", strings.TrimSpace(user) != "")
	return apperr.Errorf(apperr.EINVALID, "This request names no workspace or no user, so paasbot refused it.")
}

// prepare parses and validates req and loads the caller's key when the
// command needs one.
func (c *Core) prepare(ctx context.Context, req Request) (*Call, error) {
	line, err := Parse(req.Text)
	if err != nil {
		var pe *ParseError
		if errors.As(err, &pe) {
			return nil, apperr.Errorf(apperr.EINVALID, "Cannot read word %d, %s: %s.", pe.Index+1, quoteWord(pe.Word), pe.Msg)
		}
		return nil, apperr.Errorf(apperr.EINVALID, "Cannot read the command: %v", err)
	}
	if len(line.Args) == 0 {
		line = Line{Args: []Arg{{Kind: Word, Value: "help"}}}
	}
	spec, rest, err := c.reg.lookup(line)
	if err != nil {
		return nil, err
	}
	call, err := bind(spec, line, rest)
	if err != nil {
		return &Call{Spec: spec}, err
	}
	call.Req = req
	if !spec.NoKey {
		key, err := c.apiKey(ctx, req.Team, req.User)
		if err != nil {
			return call, err
		}
		call.key = key
	}
	return call, nil
}

// apiKey loads the key of user, mapping "none" to how to get one.
func (c *Core) apiKey(ctx context.Context, team, user string) (secret.Value, error) {
	key, _, err := c.cfg.Store.APIKey(ctx, store.Identity{Team: team, User: user})
	if err != nil {
		return "", keyError(err)
	}
	return key, nil
}

// keyError says what a failed key read means for the person: no key or an
// unreadable one (an apperr.EUNAUTHORIZED *apperr.Error saying how to get
// one), or a store failure (internal).
func keyError(err error) error {
	switch {
	case errors.Is(err, store.ErrNotFound):
		return &apperr.Error{Code: apperr.EUNAUTHORIZED, Message: "You have no Gandi API key here yet: run `/paas login`.", Err: err}
	case errors.Is(err, store.ErrUndecryptable):
		return &apperr.Error{Code: apperr.EUNAUTHORIZED, Message: "Your stored Gandi API key can no longer be read: run `/paas login` again.", Err: err}
	}
	return fmt.Errorf("load API key: %w", err)
}

// client returns the Gandi API with the caller's key.
func (c *Core) client(call *Call) Gandi { return c.cfg.Gandi(call.key) }

// errorReply renders err for a person and logs what they cannot see: the
// detail of an internal error under the ref shown (ErrorMessage logs it),
// a Gandi failure at warn level, a refusal at debug level.
func (c *Core) errorReply(ctx context.Context, name string, req Request, err error, stack []byte) reply.Message {
	// The log never carries what was typed raw: a refusal's message quotes
	// words only through quoteWord, and secret.RedactAPIKeys is the last guard.
	code := apperr.CodeOf(err)
	attrs := []any{"command", name, "team", req.Team, "user", req.User, "code", string(code)}
	if stack != nil {
		attrs = append(attrs, "stack", string(stack))
	}
	text := apperr.Message(ctx, c.log, "command failed", err, attrs...)
	switch code {
	case apperr.EINTERNAL:
	case apperr.EUNAVAILABLE:
		c.log.WarnContext(ctx, "command failed at Gandi", append(attrs, "msg", secret.RedactAPIKeys(text), "err", secret.RedactAPIKeys(err.Error()))...)
	default:
		c.log.DebugContext(ctx, "command refused", append(attrs, "msg", secret.RedactAPIKeys(text))...)
	}
	return reply.Message{Visibility: reply.Private, Tone: reply.Error, Text: text}
}

func (c *Core) observe(name string, code apperr.Code) {
	if c.cfg.Metrics == nil {
		return
	}
	outcome := "ok"
	if code != "" {
		outcome = string(code)
	}
	c.cfg.Metrics.ObserveCommand(name, outcome)
}

// Click handles a pressed button. Action "cmd" runs Value as a command
// typed by the clicker, with the clicker's key, and its reply is always
// private (even with --share in Value); "approval.approve", "approval.deny" and
// "approval.cancel" decide the approval whose id is Value. A click with an
// empty Team or User is refused (apperr.EINVALID). It never panics.
func (c *Core) Click(ctx context.Context, click Click) (msg reply.Message) {
	defer func() {
		if r := recover(); r != nil {
			err := &apperr.Error{Code: apperr.EINTERNAL, Err: fmt.Errorf("panic: %v", r)}
			msg = c.errorReply(ctx, "click:"+click.Action, Request{Team: click.Team, User: click.User}, err, debug.Stack())
		}
	}()
	req := Request{Team: click.Team, User: click.User, UserName: click.UserName, Channel: click.Channel, Direct: click.Direct}
	if err := c.anonymous(ctx, click.Team, click.User); err != nil {
		c.observe("click", apperr.EINVALID)
		return c.errorReply(ctx, "click:"+click.Action, req, err, nil)
	}
	switch click.Action {
	case "cmd":
		// The clicker may not be who posted the button: the command runs
		// with the clicker's key, so its reply is theirs alone. What must
		// reach the channel (an approval request) goes through the
		// Notifier.
		req.Text = click.Value
		msg = c.Handle(ctx, req)
		msg.Visibility = reply.Private
		return msg
	case ActionPage:
		return c.page(ctx, req, click.Value)
	case "approval.approve", "approval.deny", "approval.cancel":
		id, err := strconv.ParseInt(strings.TrimSpace(click.Value), 10, 64)
		if err != nil {
			return c.errorReply(ctx, click.Action, req, apperr.Errorf(apperr.EINVALID, "This button is broken (no approval id)."), nil)
		}
		d := Approvals.Cancel
		switch click.Action {
		case "approval.approve":
			d = Approvals.Approve
		case "approval.deny":
			d = Approvals.Deny
		}
		by := actor(req)
		by.Reason, by.Message = click.Reason, click.Message
		m, err := c.decide(ctx, d, by, id)
		c.observe(click.Action, codeOf(err))
		if err != nil {
			return c.errorReply(ctx, click.Action, req, err, nil)
		}
		return m
	}
	return c.errorReply(ctx, "click", req, apperr.Errorf(apperr.EINVALID, "This button is not known to this paasbot (%s).", quoteWord(click.Action)), nil)
}

// page serves a Previous / Next click: the page replaces the message when
// the clicker asked for the list (a shared list stays shared), and comes
// as a new private reply to anyone else, whose key it is run with: their
// account never replaces what the channel sees.
func (c *Core) page(ctx context.Context, req Request, value string) reply.Message {
	v, ok := ParsePageValue(value)
	if !ok {
		return c.errorReply(ctx, "click:page", req, apperr.Errorf(apperr.EINVALID, "This button is broken (no page)."), nil)
	}
	req.Text = v.Line
	msg := c.Handle(ctx, req)
	msg.Visibility = reply.Private
	if msg.Tone != reply.Error && v.Owner == req.User {
		msg.ReplaceOriginal = true
		if v.Shared {
			msg.Visibility = reply.Shared
			sharedBy(&msg, req.User)
		}
	}
	return msg
}

// sharedBy says, on a reply put in the channel with --share, who shared
// it: the channel sees someone's account and must know whose.
func sharedBy(m *reply.Message, user string) {
	m.Notes = append(m.Notes, "shared by "+human.Person(user))
}

func codeOf(err error) apperr.Code {
	if err == nil {
		return ""
	}
	return apperr.CodeOf(err)
}
