package slacktest

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

type trigger struct {
	issued time.Time
	userID string
	used   bool
}

// SlashCommand is what a person typed. Empty fields get defaults: Command
// "/paas", UserName from the user (its declared name), ChannelName as Slack
// sends it for the channel: the channel's name, "directmessage" in an IM,
// the group DM's "mpdm-…" name.
type SlashCommand struct {
	UserID      string
	UserName    string
	ChannelID   string
	ChannelName string
	Command     string
	Text        string
}

// SendSlashCommand sends a slash_commands envelope with a fresh trigger_id
// and response_url (see Envelope for both) and returns its envelope id. It
// blocks until the envelope is written to a socket; if ctx ends first the
// test fails, and the envelope stays queued for the next connection. Give
// ctx a deadline when no socket may be connected yet.
func (s *Server) SendSlashCommand(ctx context.Context, cmd SlashCommand) string {
	if cmd.Command == "" {
		cmd.Command = "/paas"
	}
	s.mu.Lock()
	if cmd.UserName == "" {
		u, _ := s.userLocked(cmd.UserID)
		cmd.UserName = u.Name
		if cmd.UserName == "" {
			cmd.UserName = strings.ToLower(cmd.UserID)
		}
	}
	if cmd.ChannelName == "" {
		cmd.ChannelName = s.channelNameLocked(cmd.ChannelID)
	}
	trig := s.newTriggerLocked(cmd.UserID)
	ru := s.newResponseURLLocked(cmd.ChannelID, cmd.UserID, "", false)
	s.mu.Unlock()
	payload, _ := json.Marshal(map[string]any{
		"token":                 "verification-token-unused",
		"team_id":               s.cfg.teamID,
		"team_domain":           s.cfg.teamDomain,
		"channel_id":            cmd.ChannelID,
		"channel_name":          cmd.ChannelName,
		"user_id":               cmd.UserID,
		"user_name":             cmd.UserName,
		"command":               cmd.Command,
		"text":                  cmd.Text,
		"api_app_id":            s.cfg.appID,
		"is_enterprise_install": false,
		"response_url":          ru.url,
		"trigger_id":            trig,
	})
	return s.sendInteraction(ctx, payload, interaction{envType: "slash_commands", ru: ru, trigger: trig})
}

// Click is a button click. When MessageTS names a recorded message, the
// button is looked up there by ActionID (the test fails if it is missing)
// and BlockID, Value and Text are filled from it; otherwise they are sent
// as given. Ephemeral marks a button on an ephemeral message or
// response_url reply (Slack then sends no message in the payload).
type Click struct {
	UserID    string
	UserName  string
	ChannelID string
	MessageTS string
	Ephemeral bool
	ActionID  string
	BlockID   string
	Value     string
	Text      string
}

// ClickButton sends an interactive envelope with a block_actions payload,
// with its own trigger_id and response_url, and returns the envelope id.
// It blocks like SendSlashCommand.
func (s *Server) ClickButton(ctx context.Context, c Click) string {
	s.mu.Lock()
	var msg *Message
	if c.MessageTS != "" {
		msg = s.findMessageLocked(c.ChannelID, c.MessageTS)
	}
	if msg != nil {
		b, ok := findButton(msg.Blocks, c.ActionID)
		if !ok {
			s.mu.Unlock()
			s.t.Errorf("slacktest: message %s/%s has no button with action_id %q", c.ChannelID, c.MessageTS, c.ActionID)
			return ""
		}
		c.BlockID, c.Value, c.Text = b.BlockID, b.Value, b.Text
		c.Ephemeral = c.Ephemeral || msg.Ephemeral
	}
	trig := s.newTriggerLocked(c.UserID)
	ru := s.newResponseURLLocked(c.ChannelID, c.UserID, c.MessageTS, c.Ephemeral)
	actionTS := s.nextTSLocked()
	channelName := s.channelNameLocked(c.ChannelID)
	var wireMsg map[string]any
	if msg != nil && !c.Ephemeral {
		wireMsg = s.wireMessage(msg)
	}
	s.mu.Unlock()

	action := map[string]any{
		"type": "button", "action_id": c.ActionID, "block_id": c.BlockID,
		"text":      map[string]any{"type": "plain_text", "text": c.Text, "emoji": true},
		"action_ts": actionTS,
	}
	if c.Value != "" {
		action["value"] = c.Value
	}
	p := s.interactionBase("block_actions", c.UserID, trig)
	if c.UserName != "" {
		p["user"].(map[string]any)["username"], p["user"].(map[string]any)["name"] = c.UserName, c.UserName
	}
	p["container"] = map[string]any{
		"type": "message", "message_ts": c.MessageTS, "channel_id": c.ChannelID, "is_ephemeral": c.Ephemeral,
	}
	p["channel"] = map[string]any{"id": c.ChannelID, "name": channelName}
	p["state"] = map[string]any{"values": map[string]any{}}
	p["response_url"], p["actions"] = ru.url, []any{action}
	if wireMsg != nil {
		p["message"] = wireMsg
	}
	payload, _ := json.Marshal(p)
	return s.sendInteraction(ctx, payload, interaction{ru: ru, trigger: trig, kind: "block_actions"})
}

// interaction says how an envelope is sent and how its ack is read.
type interaction struct {
	envType string // default "interactive"
	ru      *responseURL
	trigger string
	viewID  string // view_submission, view_closed, block_suggestion in a modal
	kind    string // the interactive payload's type
	noResp  bool   // accepts_response_payload false (events_api)
}

// interactionBase holds the fields every interactive payload carries.
func (s *Server) interactionBase(kind, user, trig string) map[string]any {
	s.mu.Lock()
	u, _ := s.userLocked(user)
	s.mu.Unlock()
	name := u.Name
	if name == "" {
		name = strings.ToLower(user)
	}
	return map[string]any{
		"type":                  kind,
		"team":                  map[string]any{"id": s.cfg.teamID, "domain": s.cfg.teamDomain},
		"user":                  map[string]any{"id": user, "username": name, "name": name, "team_id": s.cfg.teamID},
		"api_app_id":            s.cfg.appID,
		"token":                 "verification-token-unused",
		"trigger_id":            trig,
		"is_enterprise_install": false,
		"enterprise":            nil,
	}
}

func (s *Server) sendInteraction(ctx context.Context, payload json.RawMessage, in interaction) string {
	if in.envType == "" {
		in.envType = "interactive"
	}
	e := &envelope{typ: in.envType, payload: payload, acceptsResp: !in.noResp, triggerID: in.trigger, viewID: in.viewID, kind: in.kind}
	s.mu.Lock()
	e.id = s.nextIDLocked("env-")
	if in.ru != nil {
		e.responseURL = in.ru.url
		in.ru.envelopeID = e.id
	}
	s.mu.Unlock()
	return s.enqueue(ctx, e)
}

// newTriggerLocked issues a trigger_id valid once, for TriggerTTL.
func (s *Server) newTriggerLocked(userID string) string {
	s.seq++
	id := "1337." + strconv.Itoa(s.seq) + ".trigger"
	s.triggers[id] = &trigger{issued: s.cfg.now(), userID: userID}
	return id
}
