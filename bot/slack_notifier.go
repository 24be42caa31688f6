package bot

import (
	"context"
	"errors"
	"fmt"

	"github.com/slack-go/slack"

	"github.com/paasbot/paasbot/apperr"
	"github.com/paasbot/paasbot/approvals"
	"github.com/paasbot/paasbot/reply"
	"github.com/paasbot/paasbot/telemetry"
)

var _ approvals.Notifier = (*SlackPoster)(nil)

// render renders m, turning a renderer bug into a short message for people
// (logged under a reference) rather than nothing.
func (p *SlackPoster) render(ctx context.Context, m reply.Message) []SlackMessage {
	parts, err := RenderBlocks(m)
	if err != nil {
		return []SlackMessage{textPart(p.internalError(ctx, "cannot render a reply", err))}
	}
	return parts
}

// postMessage posts one part with chat.postMessage and returns its ts.
func (p *SlackPoster) postMessage(ctx context.Context, channel string, part SlackMessage) (string, error) {
	var ts string
	err := p.do(ctx, "chat.postMessage", func(ctx context.Context) error {
		var err error
		_, ts, err = p.api.PostMessageContext(ctx, channel, part.MsgOptions()...)
		return err
	})
	return ts, err
}

func (p *SlackPoster) postEphemeral(ctx context.Context, channel, user string, part SlackMessage) error {
	return p.do(ctx, "chat.postEphemeral", func(ctx context.Context) error {
		_, err := p.api.PostEphemeralContext(ctx, channel, user, part.MsgOptions()...)
		return err
	})
}

// Post posts m in channel with chat.postMessage, every part in order, and
// returns the reference of the first part (the one Update replaces).
//
// When the bot is not a member of channel and Post runs while serving an
// interaction in that channel, m is posted through the interaction's
// response_url instead, with a private hint to invite the bot; the returned
// Ref then has an empty ID (that message cannot be updated). Otherwise that
// case is a *apperr.Error (EINVALID) whose message says how to invite the
// bot, wrapping the *SlackError.
func (p *SlackPoster) Post(ctx context.Context, channel string, m reply.Message) (reply.Ref, error) {
	parts := p.render(ctx, m)
	ref := reply.Ref{Channel: channel}
	for i, part := range parts {
		ts, err := p.postMessage(ctx, channel, part)
		if err != nil {
			if r := responderFrom(ctx); r != nil && r.channel == channel && notMember(err) {
				return ref, p.fallbackInChannel(ctx, r, parts[i:])
			}
			return ref, p.postError(channel, err)
		}
		if i == 0 {
			ref.ID = ts
		}
	}
	return ref, nil
}

// notMember reports whether Slack refused a post because the bot cannot
// see the channel.
func notMember(err error) bool {
	c := slackCode(err)
	return c == SlackNotInChannel || c == SlackChannelNotFound
}

// postError turns Slack's refusal into something the core can show.
func (p *SlackPoster) postError(channel string, err error) error {
	switch slackCode(err) {
	case SlackNotInChannel:
		return &apperr.Error{Code: apperr.EINVALID, Err: err,
			Message: fmt.Sprintf("I'm not a member of <#%s>: invite me with `/invite @paasbot` there, then try again.", channel)}
	case SlackChannelNotFound:
		return &apperr.Error{Code: apperr.EINVALID, Err: err,
			Message: fmt.Sprintf("I cannot see channel <#%s>: if it is private, invite me with `/invite @paasbot` there.", channel)}
	}
	return err
}

// fallbackInChannel posts parts through r's response_url for everyone in
// the channel, then tells the person privately how to invite the bot.
func (p *SlackPoster) fallbackInChannel(ctx context.Context, r *responder, parts []SlackMessage) error {
	for _, part := range parts {
		if err := p.respond(ctx, r, webhook(part, slack.ResponseTypeInChannel)); err != nil {
			return err
		}
	}
	if err := p.respond(ctx, r, webhook(textPart(inviteHint), slack.ResponseTypeEphemeral)); err != nil {
		p.logger.WarnContext(ctx, "cannot send the invite hint", "error", cleanErr(err).Error())
	}
	return nil
}

// Update replaces the message at ref with the first part of m (chat.update);
// further parts are posted after it. Ephemeral messages and messages
// posted through a response_url (empty ref.ID) cannot be updated: the error
// says so.
func (p *SlackPoster) Update(ctx context.Context, ref reply.Ref, m reply.Message) error {
	if ref.ID == "" || ref.Channel == "" {
		return errors.New("slack chat.update: this message was not posted by chat.postMessage and cannot be updated")
	}
	parts := p.render(ctx, m)
	if len(parts) == 0 {
		return nil
	}
	err := p.do(ctx, "chat.update", func(ctx context.Context) error {
		_, _, _, err := p.api.UpdateMessageContext(ctx, ref.Channel, ref.ID, parts[0].MsgOptions()...)
		return err
	})
	if err != nil {
		return p.postError(ref.Channel, err)
	}
	for _, part := range parts[1:] {
		if _, err := p.postMessage(ctx, ref.Channel, part); err != nil {
			return p.postError(ref.Channel, err)
		}
	}
	return nil
}

// PostPrivate shows m to user only. While serving an interaction of that
// user it answers through the interaction's response_url (ephemeral);
// otherwise with chat.postEphemeral in channel; and when neither works (no
// channel, or the bot is not in it) with chat.postMessage to the user's id,
// which lands in the app's Messages tab (the manifest grants no
// conversations.open).
func (p *SlackPoster) PostPrivate(ctx context.Context, channel, user string, m reply.Message) error {
	parts := p.render(ctx, m)
	r := responderFrom(ctx)
	if r != nil && r.user != user {
		r = nil
	}
	var firstErr error
	for _, part := range parts {
		err := p.privatePart(ctx, r, channel, user, part)
		if err != nil && firstErr == nil {
			firstErr = err
		}
	}
	return firstErr
}

func (p *SlackPoster) privatePart(ctx context.Context, r *responder, channel, user string, part SlackMessage) error {
	if r != nil {
		err := p.respond(ctx, r, webhook(part, slack.ResponseTypeEphemeral))
		if err == nil {
			return nil
		}
		if !errors.Is(err, errResponseURLUsed) {
			p.logger.WarnContext(ctx, "response_url refused a private reply, using the Web API", "error", cleanErr(err).Error())
		}
	}
	if channel != "" {
		err := p.postEphemeral(ctx, channel, user, part)
		if err == nil {
			return nil
		}
		p.logger.WarnContext(ctx, "chat.postEphemeral failed, sending to the user's app messages", "channel", channel, "error", cleanErr(err).Error())
	}
	_, err := p.postMessage(ctx, user, part)
	return err
}

// deliver sends m as the answer to an interaction whose response_url is
// r: a Private message to the person (response_url, ephemeral), a Shared
// one in the channel (chat.postMessage, so that it can be updated; the
// response_url when the bot is not a member). With replaceOriginal the
// first part replaces the message carrying the clicked button. Parts are
// posted in order. Errors are logged under a reference, never returned:
// there is no one left to tell.
func (p *SlackPoster) deliver(ctx context.Context, r *responder, m reply.Message, replaceOriginal bool) {
	ctx = withResponder(ctx, r)
	parts := p.render(ctx, m)
	if len(parts) == 0 {
		return
	}
	if m.Visibility == reply.Shared && !replaceOriginal {
		if _, err := p.Post(ctx, r.channel, m); err != nil {
			p.logFailure(ctx, "cannot post a shared reply", err)
			msg := p.internalError(ctx, "cannot post a shared reply", err)
			_ = p.privatePart(ctx, r, r.channel, r.user, textPart(msg))
		}
		return
	}
	respType := slack.ResponseTypeEphemeral
	if m.Visibility == reply.Shared {
		respType = slack.ResponseTypeInChannel
	}
	for i, part := range parts {
		wm := webhook(part, respType)
		if i == 0 && replaceOriginal {
			wm.ReplaceOriginal = true
			wm.ResponseType = ""
		}
		err := p.respond(ctx, r, wm)
		if err == nil {
			continue
		}
		if respType == slack.ResponseTypeInChannel {
			if _, perr := p.postMessage(ctx, r.channel, part); perr == nil {
				continue
			}
		} else if perr := p.privatePart(ctx, nil, r.channel, r.user, part); perr == nil {
			continue
		}
		p.logFailure(ctx, "cannot deliver a reply", err)
		return
	}
}

// logFailure logs a delivery that failed for good, with a reference an
// operator can grep for.
func (p *SlackPoster) logFailure(ctx context.Context, what string, err error) {
	p.logger.ErrorContext(ctx, what, "ref", telemetry.NewRequestID(), "slack_error", slackCode(err), "error", cleanErr(err).Error())
}
