package slacktest

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

func TestConversationsOpen_IMPerUserAndSlackErrors(t *testing.T) {
	fake := New(t)
	fake.AddUser(User{ID: "U0GONE", Deactivated: true})
	fake.AddUser(User{ID: "U0ROBOT", Bot: true})
	api := newAPI(fake, fake.BotToken())
	ctx := t.Context()

	open := func(users ...string) (*slack.Channel, bool, error) {
		ch, _, already, err := api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: users, ReturnIM: true})
		return ch, already, err
	}
	first, already, err := open("U1")
	if err != nil || !strings.HasPrefix(first.ID, "D") || already || !first.IsIM || first.User != "U1" {
		t.Fatalf("first open = %+v already %v, %v; want a fresh D… IM with U1", first, already, err)
	}
	again, already, err := open("U1")
	if err != nil || again.ID != first.ID || !already {
		t.Errorf("second open = %+v already %v, %v; want the same IM, already open", again, already, err)
	}
	if id := fake.IMWith("U1"); id != first.ID {
		t.Errorf("IMWith(U1) = %s, conversations.open said %s", id, first.ID)
	}
	if other, _, _ := open("U2"); other == nil || other.ID == first.ID {
		t.Errorf("U2's IM = %+v, want its own id", other)
	}

	tests := []struct {
		name, user, want string
	}{
		{"deactivated", "U0GONE", ErrUserDisabled},
		{"a bot", "U0ROBOT", ErrCannotDMBot},
		{"the bot itself", fake.BotUserID(), ErrCannotDMBot},
		{"not a user id", "nobody", ErrUserNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, _, err := open(tt.user); slackErr(err) != tt.want {
				t.Errorf("open %s: %v, want %s", tt.user, err, tt.want)
			}
		})
	}

	fake.FailDM("U3", ErrUserNotFound)
	if _, _, err := open("U3"); slackErr(err) != ErrUserNotFound {
		t.Errorf("FailDM: %v, want %s", err, ErrUserNotFound)
	}
	fake.FailDM("U3", "")
	if _, _, err := open("U3"); err != nil {
		t.Errorf("after clearing FailDM: %v", err)
	}

	group, _, err := open("U1", "U2")
	if err != nil || !group.IsMpIM || !strings.HasPrefix(group.ID, "G") || !strings.HasPrefix(group.Name, "mpdm-") {
		t.Errorf("open with two users = %+v, %v; want a group DM", group, err)
	}
	if _, _, _, err := api.OpenConversationContext(ctx, &slack.OpenConversationParameters{}); slackErr(err) != "users_list_not_supplied" {
		t.Errorf("open with no users: %v", err)
	}
}

func TestConversationsInfo_Kinds(t *testing.T) {
	fake := New(t)
	pub := fake.AddConversation(Conversation{Name: "dev", Members: []string{"U1"}})
	outside := fake.AddConversation(Conversation{Name: "ops", Members: []string{"U1"}, BotAbsent: true})
	secret := fake.AddConversation(Conversation{Name: "secret", Kind: PrivateChannel, BotAbsent: true})
	priv := fake.AddConversation(Conversation{Name: "admins", Kind: PrivateChannel, Members: []string{"U2"}})
	humansDM := fake.AddConversation(Conversation{Kind: IM, Members: []string{"U1", "U2"}})
	group := fake.AddConversation(Conversation{Kind: GroupDM, Members: []string{"U1", "U2"}})
	im := fake.IMWith("U1")
	api := newAPI(fake, fake.BotToken())

	tests := []struct {
		name, id, wantErr  string
		channel, im, mpim  bool
		private, member    bool
		wantName, wantUser string
	}{
		{"public, bot in", pub, "", true, false, false, false, true, "dev", ""},
		{"public, bot out", outside, "", true, false, false, false, false, "ops", ""},
		{"private, bot out", secret, ErrChannelNotFound, false, false, false, false, false, "", ""},
		{"private, bot in", priv, "", true, false, false, true, true, "admins", ""},
		{"the bot's IM", im, "", false, true, false, true, true, "", "U1"},
		{"two people's DM", humansDM, ErrChannelNotFound, false, false, false, false, false, "", ""},
		{"group DM", group, "", false, false, true, true, true, "mpdm-paasbot--u1--u2-1", ""},
		{"undeclared channel", "C9", "", true, false, false, false, true, "c9", ""},
		{"undeclared IM", "D9", ErrChannelNotFound, false, false, false, false, false, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ch, err := api.GetConversationInfoContext(t.Context(), &slack.GetConversationInfoInput{ChannelID: tt.id})
			if slackErr(err) != tt.wantErr {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
			if tt.wantErr != "" {
				return
			}
			if ch.IsChannel != tt.channel || ch.IsIM != tt.im || ch.IsMpIM != tt.mpim || ch.IsPrivate != tt.private ||
				ch.IsMember != tt.member || ch.Name != tt.wantName || ch.User != tt.wantUser {
				t.Errorf("channel = channel %v im %v mpim %v private %v member %v name %q user %q",
					ch.IsChannel, ch.IsIM, ch.IsMpIM, ch.IsPrivate, ch.IsMember, ch.Name, ch.User)
			}
		})
	}
}

// TestSlashCommand_ChannelNames types /paas in an IM and a group DM: the
// payload carries the conversation id and Slack's channel_name for it.
func TestSlashCommand_ChannelNames(t *testing.T) {
	fake := New(t)
	fake.AddUser(User{ID: "U0DANA", Name: "dana"})
	c := startClient(t, fake)
	fake.WaitForConnections(t, 1, wait)
	im := fake.IMWith("U0DANA")
	humans := fake.AddConversation(Conversation{Kind: IM, Members: []string{"U0DANA", "U0SAM"}})
	group := fake.AddConversation(Conversation{Kind: GroupDM, Members: []string{"U0DANA", "U0SAM"}, BotAbsent: true})
	tests := []struct{ channel, wantName string }{
		{im, "directmessage"},
		{humans, "directmessage"},
		{group, "mpdm-dana--u0sam-1"},
		{"C1", "c1"},
	}
	for _, tt := range tests {
		fake.SendSlashCommand(t.Context(), SlashCommand{UserID: "U0DANA", ChannelID: tt.channel, Text: "renew shop"})
		cmd := c.next(t, socketmode.EventTypeSlashCommand).Data.(slack.SlashCommand)
		if cmd.ChannelID != tt.channel || cmd.ChannelName != tt.wantName || cmd.UserName != "dana" {
			t.Errorf("in %s: channel %s name %q user %q, want name %q and user dana", tt.channel, cmd.ChannelID, cmd.ChannelName, cmd.UserName, tt.wantName)
		}
	}
}

func TestUserGroups_MembersScopeAndUnknownGroup(t *testing.T) {
	fake := New(t)
	fake.AddUserGroup(UserGroup{ID: "S0OPS", Handle: "ops", Members: []string{"U1", "U2"}})
	api := newAPI(fake, fake.BotToken())
	ctx := t.Context()

	got, err := api.GetUserGroupMembersContext(ctx, "S0OPS")
	if err != nil || !slices.Equal(got, []string{"U1", "U2"}) {
		t.Errorf("members = %v, %v", got, err)
	}
	fake.AddUserGroup(UserGroup{ID: "S0OPS", Members: []string{"U3"}}) // membership changed
	if got, _ := api.GetUserGroupMembersContext(ctx, "S0OPS"); !slices.Equal(got, []string{"U3"}) {
		t.Errorf("after the change: %v", got)
	}
	if _, err := api.GetUserGroupMembersContext(ctx, "S0NONE"); slackErr(err) != ErrNoSuchSubteam {
		t.Errorf("unknown group: %v, want %s", err, ErrNoSuchSubteam)
	}

	fake.RevokeScope("usergroups:read")
	if _, err := api.GetUserGroupMembersContext(ctx, "S0OPS"); slackErr(err) != ErrMissingScope {
		t.Errorf("without usergroups:read: %v, want %s", err, ErrMissingScope)
	}
	out := callAPI(t, fake, "usergroups.users.list", url.Values{"usergroup": {"S0OPS"}})
	if out["needed"] != "usergroups:read" || strings.Contains(out["provided"].(string), "usergroups:read") {
		t.Errorf("missing_scope answer = %v, want needed usergroups:read and a provided list without it", out)
	}
	if _, _, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("still allowed", false)); err != nil {
		t.Errorf("a method needing another scope failed: %v", err)
	}
	fake.GrantScope("usergroups:read")
	if _, err := api.GetUserGroupMembersContext(ctx, "S0OPS"); err != nil {
		t.Errorf("after GrantScope: %v", err)
	}
}

func TestUsersInfo_DeclaredUsers(t *testing.T) {
	fake := New(t)
	fake.AddUser(User{ID: "U0GONE", Name: "gone", Deactivated: true})
	fake.AddUser(User{ID: "U0ROBOT", Bot: true})
	api := newAPI(fake, fake.BotToken())
	for _, tt := range []struct {
		id           string
		deleted, bot bool
		name         string
	}{
		{"U0GONE", true, false, "gone"}, {"U0ROBOT", false, true, "u0robot"}, {"U7", false, false, "u7"},
	} {
		u, err := api.GetUserInfoContext(t.Context(), tt.id)
		if err != nil || u.Deleted != tt.deleted || u.IsBot != tt.bot || u.Name != tt.name {
			t.Errorf("users.info %s = %+v, %v", tt.id, u, err)
		}
	}
	if _, err := api.GetUserInfoContext(t.Context(), "nobody"); slackErr(err) != ErrUserNotFound {
		t.Errorf("users.info nobody: %v", err)
	}
}

func TestAddConversation_RefusesImpossibleShapes(t *testing.T) {
	fake := New(t)
	rec := &recordingTB{TB: t}
	fake.t = rec
	defer func() { fake.t = t }()
	for _, c := range []Conversation{
		{Kind: IM, Members: []string{"U1", "U2", "U3"}},
		{Kind: IM, Members: []string{"U1"}, BotAbsent: true},
		{Kind: GroupDM, Members: []string{"U1"}},
		{Kind: "shared"},
	} {
		rec.failed = false
		if id := fake.AddConversation(c); id != "" || !rec.failed {
			t.Errorf("AddConversation(%+v) = %q, failed %v; want a test failure", c, id, rec.failed)
		}
	}
}
