package slacktest

import (
	"slices"
	"strings"
)

// Slack errors of the conversation, user and user-group methods.
const (
	ErrUserNotFound     = "user_not_found"
	ErrUserDisabled     = "user_disabled"
	ErrCannotDMBot      = "cannot_dm_bot"
	ErrNoSuchSubteam    = "no_such_subteam"
	ErrMissingScope     = "missing_scope"
	ErrUserNotInChannel = "user_not_in_channel"
	ErrInvalidThreadTS  = "invalid_thread_ts"
	ErrInvalidTriggerID = "invalid_trigger_id"
)

// conversationsInfoLocked answers conversations.info: the conversation
// object with is_channel, is_private, is_im, is_mpim and is_member.
// Private conversations the bot is not in are channel_not_found, as Slack
// hides them from it.
func (s *Server) conversationsInfoLocked(req apiRequest) apiResult {
	id := req.form.Get("channel")
	if e := s.failChannel[id]; e != "" && id != "" {
		return fail(e)
	}
	c := s.convLocked(id)
	if c == nil || (c.BotAbsent && c.Kind != PublicChannel) {
		return fail(ErrChannelNotFound)
	}
	return okResult(map[string]any{"channel": s.wireConvLocked(c)})
}

// conversationsOpenLocked answers conversations.open: users=U… opens (or
// resumes) the bot's IM with that person, the same D… id every time;
// several users open a group DM with the bot; channel=D… resumes an IM.
func (s *Server) conversationsOpenLocked(req apiRequest) apiResult {
	f := req.form
	if ch := f.Get("channel"); ch != "" && f.Get("users") == "" {
		c, ok := s.convs[ch]
		if !ok || c.BotAbsent || (c.Kind != IM && c.Kind != GroupDM) {
			return fail(ErrChannelNotFound)
		}
		return s.openAnswerLocked(c, true, f.Get("return_im") == "true")
	}
	var users []string
	for _, u := range strings.Split(f.Get("users"), ",") {
		if u = strings.TrimSpace(u); u != "" {
			users = append(users, u)
		}
	}
	switch {
	case len(users) == 0:
		return fail("users_list_not_supplied")
	case len(users) > 8:
		return fail("too_many_users")
	}
	for _, u := range users {
		if e := s.openErrorLocked(u); e != "" {
			return fail(e)
		}
	}
	if len(users) == 1 {
		_, existed := s.imByUser[users[0]]
		return s.openAnswerLocked(s.imLocked(users[0]), existed, f.Get("return_im") == "true")
	}
	for _, id := range sortedKeys(s.convs) {
		c := s.convs[id]
		if c.Kind == GroupDM && !c.BotAbsent && sameSet(c.Members, users) {
			return s.openAnswerLocked(c, true, true)
		}
	}
	c := &conversation{Conversation: Conversation{
		ID: s.nextIDLocked("G"), Kind: GroupDM, Members: slices.Clone(users),
		Name: s.mpimNameLocked(users, true),
	}, created: s.cfg.now().Unix()}
	s.convs[c.ID] = c
	return s.openAnswerLocked(c, false, true)
}

// openErrorLocked is Slack's answer to opening a DM with user.
func (s *Server) openErrorLocked(user string) string {
	if e := s.openFail[user]; e != "" {
		return e
	}
	u, ok := s.userLocked(user)
	switch {
	case !ok:
		return ErrUserNotFound
	case u.Deactivated:
		return ErrUserDisabled
	case u.Bot:
		return ErrCannotDMBot
	}
	return ""
}

func (s *Server) openAnswerLocked(c *conversation, already, full bool) apiResult {
	ch := map[string]any{"id": c.ID}
	if full {
		ch = s.wireConvLocked(c)
	}
	out := map[string]any{"channel": ch}
	if already {
		out["no_op"], out["already_open"] = true, true
	}
	return okResult(out)
}

func (s *Server) usersInfoLocked(req apiRequest) apiResult {
	u, ok := s.userLocked(req.form.Get("user"))
	if !ok {
		return fail(ErrUserNotFound)
	}
	return okResult(map[string]any{"user": map[string]any{
		"id": u.ID, "team_id": s.cfg.teamID, "name": u.Name, "real_name": u.RealName,
		"deleted": u.Deactivated, "is_bot": u.Bot, "tz": u.TZ,
		"profile": map[string]any{"display_name": u.Name, "real_name": u.RealName},
	}})
}

// userGroupMembersLocked answers usergroups.users.list(usergroup=S…).
func (s *Server) userGroupMembersLocked(req apiRequest) apiResult {
	g, ok := s.groups[req.form.Get("usergroup")]
	if !ok {
		return fail(ErrNoSuchSubteam)
	}
	users := slices.Clone(g.Members)
	if users == nil {
		users = []string{}
	}
	return okResult(map[string]any{"users": users})
}

func sameSet(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}
