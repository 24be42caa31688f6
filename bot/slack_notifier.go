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

// postMessage posts one part with chat.postMessage, at the channel's pace,
// and returns its ts. A 429 holds every post to the channel until its
// Retry-After.
func (p *SlackPoster) postMessage(ctx context.Context, channel string, part SlackMessage, opts ...slack.MsgOption) (string, error) {
	var ts string
	opts = append(part.MsgOptions(), opts...)
	err := p.do(ctx, "chat.postMessage", func(ctx context.Context) error {
		if err := p.wait(ctx, p.pace.reserve(channel, p.cfg.Now())); err != nil {
			return err
		}
		var err error
		_, ts, err = p.api.PostMessageContext(ctx, channel, opts...)
		var rl *slack.RateLimitedError
		if errors.As(err, &rl) {
			p.pace.hold(channel, p.cfg.Now().Add(rl.RetryAfter))
		}
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

// PostThread posts m as a reply in the thread of parent (a message posted
// with Post: chat.postMessage with thread_ts), every part in order, and
// returns the reference of the first part. The thread's channel is
// paced like any post to it. Errors are those of Post, without its
// response_url fallback (a reply needs a message of the bot to hang on).
func (p *SlackPoster) PostThread(ctx context.Context, parent reply.Ref, m reply.Message) (reply.Ref, error) {
	if parent.ID == "" || parent.Channel == "" {
		return reply.Ref{}, errors.New("slack chat.postMessage: a thread reply needs the ts of a message posted by chat.postMessage")
	}
	ref := reply.Ref{Channel: parent.Channel}
	for i, part := range p.render(ctx, m) {
		ts, err := p.postMessage(ctx, parent.Channel, part, slack.MsgOptionTS(parent.ID))
		if err != nil {
			return ref, p.postError(parent.Channel, err)
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
// channel, or the bot is not in it) in their DM with the app (DM:
// conversations.open, then chat.postMessage to the IM).
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
		p.logger.WarnContext(ctx, "chat.postEphemeral failed, sending it by DM", "channel", channel, "error", cleanErr(err).Error())
	}
	im, err := p.openIM(ctx, user)
	if err != nil {
		return err
	}
	_, err = p.postMessage(ctx, im, part)
	return err
}

// replaceMode says what an answer delivered through a response_url
// replaces.
type replaceMode int

const (
	replaceNothing     replaceMode = iota
	replaceClicked                 // the message carrying the clicked button
	replacePlaceholder             // the "Asking Gandi…" placeholder of this command
)

// deliver sends m as the answer to an interaction whose response_url is
// r: through the response_url, which answers the person without counting
// against the channel's pace, ephemeral for a Private message and
// in_channel for a Shared one; when it is spent or refused, through the
// Web API (chat.postEphemeral, chat.postMessage). With replaceClicked the
// first part replaces the message carrying the clicked button; with
// replacePlaceholder it replaces the command's placeholder, which a Shared
// answer or an empty one deletes instead (an ephemeral message cannot turn
// into a channel message). Parts are posted in order. Errors are logged
// under a reference, never returned: there is no one left to tell.
func (p *SlackPoster) deliver(ctx context.Context, r *responder, m reply.Message, replace replaceMode) {
	ctx = withResponder(ctx, r)
	parts := p.render(ctx, m)
	respType := slack.ResponseTypeEphemeral
	if m.Visibility == reply.Shared {
		respType = slack.ResponseTypeInChannel
	}
	if replace == replacePlaceholder && (len(parts) == 0 || respType == slack.ResponseTypeInChannel) {
		p.dropPlaceholder(ctx, r)
		replace = replaceNothing
	}
	for i, part := range parts {
		wm := webhook(part, respType)
		if i == 0 && replace != replaceNothing {
			wm.ReplaceOriginal = true
			wm.ResponseType = ""
		}
		err := p.respond(ctx, r, wm)
		if err == nil {
			continue
		}
		if i == 0 && replace == replacePlaceholder {
			p.dropPlaceholder(ctx, r)
		}
		if respType == slack.ResponseTypeInChannel {
			_, perr := p.postMessage(ctx, r.channel, part)
			if perr == nil {
				continue
			}
			msg := p.internalError(ctx, "cannot post a shared reply", p.postError(r.channel, perr))
			_ = p.privatePart(ctx, nil, r.channel, r.user, textPart(msg))
			return
		}
		if perr := p.privatePart(ctx, nil, r.channel, r.user, part); perr == nil {
			continue
		}
		p.logFailure(ctx, "cannot deliver a reply", err)
		return
	}
}

// dropPlaceholder deletes the command's placeholder (best effort: it is
// logged when it stays).
func (p *SlackPoster) dropPlaceholder(ctx context.Context, r *responder) {
	if err := p.respond(ctx, r, &slack.WebhookMessage{DeleteOriginal: true}); err != nil {
		p.logger.WarnContext(ctx, "cannot delete the placeholder of a command", "error", cleanErr(err).Error())
	}
}

// logFailure logs a delivery that failed for good, with a reference an
// operator can grep for.
func (p *SlackPoster) logFailure(ctx context.Context, what string, err error) {
	p.logger.ErrorContext(ctx, what, "ref", telemetry.NewRequestID(), "slack_error", slackCode(err), "error", cleanErr(err).Error())
}
