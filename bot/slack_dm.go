package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/slack-go/slack"

	"github.com/paasbot/paasbot/apperr"
	"github.com/paasbot/paasbot/approvals"
	"github.com/paasbot/paasbot/reply"
)

// What SlackPoster offers the approvals engine beyond its Notifier: DMs,
// thread replies, permalinks and the members of user groups (DESIGN §9).
var (
	_ approvals.DirectMessenger = (*SlackPoster)(nil)
	_ approvals.Threader        = (*SlackPoster)(nil)
	_ approvals.Linker          = (*SlackPoster)(nil)
	_ approvals.GroupResolver   = (*SlackPoster)(nil)
)

// Slack errors of a DM that cannot be sent (conversations.open).
const (
	SlackUserDisabled  = "user_disabled"
	SlackUserNotFound  = "user_not_found"
	SlackCannotDMBot   = "cannot_dm_bot"
	SlackMissingScope  = "missing_scope"
	SlackAccountGone   = "account_inactive"
	SlackNoSuchSubteam = "no_such_subteam"
)

// openIM opens (or finds again) the app's IM with user: conversations.open
// with users=user, scope im:write. It is asked before every DM, never
// remembered: its answer is also how paasbot learns that the person was
// deactivated meanwhile.
func (p *SlackPoster) openIM(ctx context.Context, user string) (string, error) {
	var id string
	err := p.do(ctx, "conversations.open", func(ctx context.Context) error {
		ch, _, _, err := p.api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{user}})
		if err == nil {
			id = ch.ID
		}
		return err
	})
	if err != nil {
		return "", dmError(user, err)
	}
	if id == "" {
		return "", fmt.Errorf("slack conversations.open: no conversation id for %s", user)
	}
	return id, nil
}

// DM sends m to user in their DM with the app: conversations.open for
// that one user, then chat.postMessage to the IM it returns, every part
// in order. It returns the reference of the first part. A DM Slack will
// not open is an *apperr.Error (EINVALID) saying why in a person's words
// (a deactivated account, a bot, the im:write scope missing), wrapping
// the *SlackError.
func (p *SlackPoster) DM(ctx context.Context, user string, m reply.Message) (reply.Ref, error) {
	im, err := p.openIM(ctx, user)
	if err != nil {
		return reply.Ref{}, err
	}
	ref := reply.Ref{Channel: im}
	for i, part := range p.render(ctx, m) {
		ts, err := p.postMessage(ctx, im, part)
		if err != nil {
			return ref, dmError(user, err)
		}
		if i == 0 {
			ref.ID = ts
		}
	}
	return ref, nil
}

// dmError says why a DM to user could not be sent.
func dmError(user string, err error) error {
	why := ""
	switch slackCode(err) {
	case SlackUserDisabled, SlackAccountGone:
		why = "their Slack account is deactivated"
	case SlackCannotDMBot:
		why = "it is a bot, and Slack lets no app DM a bot"
	case SlackUserNotFound:
		why = "Slack knows no such person in this workspace"
	case SlackMissingScope:
		why = "the Slack app lacks the im:write scope (reinstall it from deploy/slack-app-manifest.yaml)"
	case SlackChannelNotFound, SlackNotInChannel:
		why = "Slack would not let paasbot write in their DM"
	case "":
		return err
	default:
		why = "Slack answered " + slackCode(err)
	}
	return &apperr.Error{Code: apperr.EINVALID, Message: why, Err: err}
}

// Reply posts m in the thread of parent (a message posted with Post or
// DM), every part in order; broadcast also shows the reply in the
// channel (reply_broadcast). Errors are those of PostThread.
func (p *SlackPoster) Reply(ctx context.Context, parent reply.Ref, m reply.Message, broadcast bool) (reply.Ref, error) {
	if !broadcast {
		return p.PostThread(ctx, parent, m)
	}
	if parent.ID == "" || parent.Channel == "" {
		return reply.Ref{}, errors.New("slack chat.postMessage: a thread reply needs the ts of a message posted by chat.postMessage")
	}
	ref := reply.Ref{Channel: parent.Channel}
	for i, part := range p.render(ctx, m) {
		opts := []slack.MsgOption{slack.MsgOptionTS(parent.ID)}
		if i == 0 {
			opts = append(opts, slack.MsgOptionBroadcast())
		}
		ts, err := p.postMessage(ctx, parent.Channel, part, opts...)
		if err != nil {
			return ref, p.postError(parent.Channel, err)
		}
		if i == 0 {
			ref.ID = ts
		}
	}
	return ref, nil
}

// Permalink returns the link to the message at ref (chat.getPermalink).
// A message's link never changes, so the last links asked are kept
// (maxLinks): a request is linked from several DMs and an audit line.
func (p *SlackPoster) Permalink(ctx context.Context, ref reply.Ref) (string, error) {
	if ref.ID == "" || ref.Channel == "" {
		return "", errors.New("slack chat.getPermalink: no message to link")
	}
	if link, ok := p.links.get(ref); ok {
		return link, nil
	}
	var link string
	err := p.do(ctx, "chat.getPermalink", func(ctx context.Context) error {
		var err error
		link, err = p.api.GetPermalinkContext(ctx, &slack.PermalinkParameters{Channel: ref.Channel, Ts: ref.ID})
		return err
	})
	if err == nil {
		p.links.put(ref, link)
	}
	return link, err
}

// maxLinks bounds the permalinks a poster keeps.
const maxLinks = 1024

// linkCache keeps the latest maxLinks permalinks, the oldest dropped
// first. The zero value is ready; safe for concurrent use.
type linkCache struct {
	mu    sync.Mutex
	links map[reply.Ref]string
	order []reply.Ref // insertion order, a ring once full
	next  int
}

func (c *linkCache) get(ref reply.Ref) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	l, ok := c.links[ref]
	return l, ok
}

func (c *linkCache) put(ref reply.Ref, link string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.links == nil {
		c.links = make(map[reply.Ref]string)
	}
	if _, ok := c.links[ref]; ok {
		return
	}
	if len(c.order) < maxLinks {
		c.order = append(c.order, ref)
	} else {
		delete(c.links, c.order[c.next])
		c.order[c.next] = ref
		c.next = (c.next + 1) % maxLinks
	}
	c.links[ref] = link
}

// GroupMembers lists the members of user group group
// (usergroups.users.list, scope usergroups:read). A group Slack will not
// let paasbot read is an *apperr.Error naming the scope.
func (p *SlackPoster) GroupMembers(ctx context.Context, group string) ([]string, error) {
	var users []string
	err := p.do(ctx, "usergroups.users.list", func(ctx context.Context) error {
		var err error
		users, err = p.api.GetUserGroupMembersContext(ctx, group)
		return err
	})
	if err != nil {
		return nil, groupError(group, err)
	}
	return users, nil
}

// groupError says why the members of group could not be read.
func groupError(group string, err error) error {
	switch slackCode(err) {
	case SlackMissingScope:
		return &apperr.Error{Code: apperr.EINVALID, Err: err,
			Message: fmt.Sprintf("Slack will not let paasbot read user group %s: the app lacks the usergroups:read scope (reinstall it from deploy/slack-app-manifest.yaml)", group)}
	case SlackNoSuchSubteam:
		return &apperr.Error{Code: apperr.EINVALID, Err: err,
			Message: fmt.Sprintf("Slack knows no user group %s in this workspace (no_such_subteam)", group)}
	case "":
		return err
	}
	return &apperr.Error{Code: apperr.EINVALID, Err: err,
		Message: fmt.Sprintf("Slack will not let paasbot read user group %s: %s", group, slackCode(err))}
}

// ChannelCheck is what CheckChannel found: whether paasbot can post in a
// configured channel, and if not, why.
type ChannelCheck struct {
	Channel string
	OK      bool
	Problem string
}

// CheckChannel asks Slack (conversations.info) whether the bot is a member
// of channel, for `run --check`: a configured channel it is not in would
// refuse every post. It never posts.
func CheckChannel(ctx context.Context, api *slack.Client, channel string) ChannelCheck {
	c, err := api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: channel})
	var se slack.SlackErrorResponse
	switch {
	case errors.As(err, &se) && se.Err == SlackChannelNotFound:
		return ChannelCheck{Channel: channel, Problem: "Slack knows no such channel, or it is private and paasbot is not in it: invite it with /invite @paasbot"}
	case errors.As(err, &se) && se.Err == SlackMissingScope:
		return ChannelCheck{Channel: channel, Problem: "cannot be checked: the app lacks the channels:read and groups:read scopes"}
	case err != nil:
		return ChannelCheck{Channel: channel, Problem: "cannot be checked: " + strings.TrimSpace(cleanErr(err).Error())}
	case c.IsIM || c.IsMpIM:
		return ChannelCheck{Channel: channel, Problem: "is a direct message, not a channel"}
	case !c.IsMember:
		return ChannelCheck{Channel: channel, Problem: "paasbot is not a member: invite it with /invite @paasbot"}
	}
	return ChannelCheck{Channel: channel, OK: true}
}
