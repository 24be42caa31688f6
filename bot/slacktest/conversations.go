package slacktest

import (
	"regexp"
	"slices"
	"strings"
)

// Kind is the type of a conversation, as conversations.info tells it
// (is_channel, is_private, is_im, is_mpim).
type Kind string

// Conversation kinds.
const (
	PublicChannel  Kind = "public"
	PrivateChannel Kind = "private"
	IM             Kind = "im"   // a direct message: the bot and one person, or two people
	GroupDM        Kind = "mpim" // a multi-person direct message
)

// Conversation is a channel, an IM or a group DM a test declares with
// AddConversation. Messages posted in it are visible to its Members.
type Conversation struct {
	// ID is the conversation id (C… for channels, D… for IMs, G… for
	// group DMs); generated when empty.
	ID string
	// Name is the channel name; generated for group DMs ("mpdm-a--b-1")
	// and unused for IMs.
	Name string
	// Kind defaults to PublicChannel.
	Kind Kind
	// Members are the people in it, the bot not included. An IM has one
	// member (the bot's IM with that person) or two (a DM between two
	// people, which the bot is never in).
	Members []string
	// BotAbsent says the bot is not a member: chat.postMessage answers
	// not_in_channel in a public channel and channel_not_found anywhere
	// else (Slack hides the private conversations it is not in).
	BotAbsent bool
}

// User is a person or a bot of the workspace, declared with AddUser.
// Undeclared ids that look like Slack user ids (U…, W…) are active people.
type User struct {
	ID       string
	Name     string // default: the id in lower case
	RealName string // default: "User " + ID
	// Deactivated makes conversations.open answer user_disabled and
	// users.info answer deleted: true.
	Deactivated bool
	// Bot makes conversations.open answer cannot_dm_bot.
	Bot bool
	TZ  string // default Europe/Paris
}

// UserGroup is a user group (an S… id) whose members
// usergroups.users.list answers.
type UserGroup struct {
	ID      string
	Handle  string
	Members []string
}

type conversation struct {
	Conversation
	implicit bool // an undeclared C… id: public, bot a member, members unknown
	created  int64
}

var userIDPattern = regexp.MustCompile(`^[UW][A-Z0-9]+$`)

// AddConversation declares a conversation (replacing one with the same id)
// and returns its id. An invalid declaration fails the test.
func (s *Server) AddConversation(c Conversation) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.Kind == "" {
		c.Kind = PublicChannel
	}
	c.Members = slices.Clone(c.Members)
	switch c.Kind {
	case PublicChannel, PrivateChannel:
		if c.ID == "" {
			c.ID = s.nextIDLocked("C")
		}
		if c.Name == "" {
			c.Name = strings.ToLower(c.ID)
		}
	case IM:
		switch len(c.Members) {
		case 1:
			if c.BotAbsent {
				s.t.Errorf("slacktest: an IM with one member is the bot's IM; BotAbsent makes no sense")
				return ""
			}
		case 2:
			c.BotAbsent = true // the bot is never in two people's DM
		default:
			s.t.Errorf("slacktest: an IM has one or two members, got %v", c.Members)
			return ""
		}
		if c.ID == "" {
			c.ID = s.nextIDLocked("D")
		}
		if len(c.Members) == 1 {
			s.imByUser[c.Members[0]] = c.ID
		}
	case GroupDM:
		if len(c.Members) < 2 {
			s.t.Errorf("slacktest: a group DM has at least two people, got %v", c.Members)
			return ""
		}
		if c.ID == "" {
			c.ID = s.nextIDLocked("G")
		}
		if c.Name == "" {
			c.Name = s.mpimNameLocked(c.Members, !c.BotAbsent)
		}
	default:
		s.t.Errorf("slacktest: unknown conversation kind %q", c.Kind)
		return ""
	}
	s.convs[c.ID] = &conversation{Conversation: c, created: s.cfg.now().Unix()}
	s.notifyLocked()
	return c.ID
}

// IMWith returns the id of the bot's IM with user, creating it if needed:
// the same id conversations.open answers for that user. Slash commands
// typed there carry it as channel_id.
func (s *Server) IMWith(user string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.imLocked(user).ID
}

func (s *Server) imLocked(user string) *conversation {
	if id, ok := s.imByUser[user]; ok {
		return s.convs[id]
	}
	c := &conversation{Conversation: Conversation{ID: s.nextIDLocked("D"), Kind: IM, Members: []string{user}}, created: s.cfg.now().Unix()}
	s.convs[c.ID] = c
	s.imByUser[user] = c.ID
	return c
}

// AddUser declares a person or a bot (replacing one with the same id).
func (s *Server) AddUser(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[u.ID] = u
}

// AddUserGroup declares a user group (replacing one with the same id, which
// is how a test changes its members).
func (s *Server) AddUserGroup(g UserGroup) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g.Members = slices.Clone(g.Members)
	s.groups[g.ID] = g
}

// FailDM makes conversations.open for user answer {ok:false,error:slackErr}
// (user_not_found, user_disabled, cannot_dm_bot, ...) until FailDM(user, "")
// clears it. Declared users already get Slack's answer for their state.
func (s *Server) FailDM(user, slackErr string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	setOrClear(s.openFail, user, slackErr)
}

// convLocked returns the conversation id names: a declared or opened one,
// or, for an undeclared C… id, an implicit public channel the bot is in
// (what every test before the model relied on). nil means Slack would
// answer channel_not_found.
func (s *Server) convLocked(id string) *conversation {
	if c, ok := s.convs[id]; ok {
		return c
	}
	if strings.HasPrefix(id, "C") && len(id) > 1 {
		return &conversation{Conversation: Conversation{ID: id, Name: strings.ToLower(id), Kind: PublicChannel}, implicit: true}
	}
	return nil
}

// userLocked returns the user with this id and whether it exists: declared,
// or an undeclared id shaped like a Slack user id (an active person). The
// bot's own user id is a bot.
func (s *Server) userLocked(id string) (User, bool) {
	if u, ok := s.users[id]; ok {
		return fillUser(u), true
	}
	if id == s.cfg.botUserID {
		return fillUser(User{ID: id, Name: "paasbot", Bot: true}), true
	}
	if userIDPattern.MatchString(id) {
		return fillUser(User{ID: id}), true
	}
	return User{}, false
}

func fillUser(u User) User {
	if u.Name == "" {
		u.Name = strings.ToLower(u.ID)
	}
	if u.RealName == "" {
		u.RealName = "User " + u.ID
	}
	if u.TZ == "" {
		u.TZ = "Europe/Paris"
	}
	return u
}

func (s *Server) mpimNameLocked(members []string, withBot bool) string {
	names := make([]string, 0, len(members)+1)
	if withBot {
		names = append(names, "paasbot")
	}
	for _, m := range members {
		u, _ := s.userLocked(m)
		names = append(names, u.Name)
	}
	return "mpdm-" + strings.Join(names, "--") + "-1"
}

// channelNameLocked is the channel_name Slack puts in a slash command or an
// interaction typed in channel id.
func (s *Server) channelNameLocked(id string) string {
	c := s.convLocked(id)
	switch {
	case c == nil && strings.HasPrefix(id, "D"), c != nil && c.Kind == IM:
		return "directmessage"
	case c == nil:
		return strings.ToLower(id)
	}
	return c.Name
}

// postError is what Slack answers when the bot posts in c.
func (c *conversation) postError() string {
	if !c.BotAbsent {
		return ""
	}
	if c.Kind == PublicChannel {
		return ErrNotInChannel
	}
	return ErrChannelNotFound
}

// has reports whether user is a member of c. Implicit channels have
// unknown members: everyone counts as one.
func (c *conversation) has(user string) bool {
	return c.implicit || slices.Contains(c.Members, user)
}

// audience is who sees a message posted in c (not ephemeral).
func (c *conversation) audience() (Visibility, []string, bool) {
	people := slices.Clone(c.Members)
	slices.Sort(people)
	switch c.Kind {
	case IM:
		return VisibleInDM, people, false
	case GroupDM:
		return VisibleInGroupDM, people, false
	}
	return VisibleToChannel, people, c.implicit
}

// wire renders c as conversations.info and conversations.open answer it.
func (s *Server) wireConvLocked(c *conversation) map[string]any {
	out := map[string]any{
		"id": c.ID, "created": c.created, "is_archived": false, "is_general": false,
		"is_channel": c.Kind == PublicChannel || c.Kind == PrivateChannel,
		"is_group":   false, "is_im": c.Kind == IM, "is_mpim": c.Kind == GroupDM,
		"is_private": c.Kind != PublicChannel, "is_member": !c.BotAbsent,
		"is_shared": false, "is_ext_shared": false, "is_org_shared": false,
		"context_team_id": s.cfg.teamID,
	}
	switch c.Kind {
	case IM:
		out["user"] = c.Members[0]
		u, _ := s.userLocked(c.Members[0])
		out["is_user_deleted"] = u.Deactivated
		out["is_open"] = true
	default:
		out["name"], out["name_normalized"] = c.Name, c.Name
		if !c.implicit {
			n := len(c.Members)
			if !c.BotAbsent {
				n++
			}
			out["num_members"] = n
		}
	}
	return out
}
