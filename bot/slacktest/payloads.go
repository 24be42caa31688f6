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
// "/paas", UserName and ChannelName derived from the ids.
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
	if cmd.UserName == "" {
		cmd.UserName = strings.ToLower(cmd.UserID)
	}
	if cmd.ChannelName == "" {
		cmd.ChannelName = strings.ToLower(cmd.ChannelID)
	}
	s.mu.Lock()
	trig := s.newTriggerLocked(cmd.UserID)
	ru := s.newResponseURLLocked(cmd.ChannelID, "", false)
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
	return s.sendEnvelope(ctx, "slash_commands", payload, ru, trig)
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
	ru := s.newResponseURLLocked(c.ChannelID, c.MessageTS, c.Ephemeral)
	actionTS := s.nextTSLocked()
	var wireMsg map[string]any
	if msg != nil && !c.Ephemeral {
		wireMsg = s.wireMessage(msg)
	}
	s.mu.Unlock()

	if c.UserName == "" {
		c.UserName = strings.ToLower(c.UserID)
	}
	action := map[string]any{
		"type": "button", "action_id": c.ActionID, "block_id": c.BlockID,
		"text":      map[string]any{"type": "plain_text", "text": c.Text, "emoji": true},
		"action_ts": actionTS,
	}
	if c.Value != "" {
		action["value"] = c.Value
	}
	p := map[string]any{
		"type":       "block_actions",
		"user":       map[string]any{"id": c.UserID, "username": c.UserName, "name": c.UserName, "team_id": s.cfg.teamID},
		"api_app_id": s.cfg.appID,
		"token":      "verification-token-unused",
		"container": map[string]any{
			"type": "message", "message_ts": c.MessageTS, "channel_id": c.ChannelID, "is_ephemeral": c.Ephemeral,
		},
		"trigger_id":            trig,
		"team":                  map[string]any{"id": s.cfg.teamID, "domain": s.cfg.teamDomain},
		"enterprise":            nil,
		"is_enterprise_install": false,
		"channel":               map[string]any{"id": c.ChannelID, "name": strings.ToLower(c.ChannelID)},
		"state":                 map[string]any{"values": map[string]any{}},
		"response_url":          ru.url,
		"actions":               []any{action},
	}
	if wireMsg != nil {
		p["message"] = wireMsg
	}
	payload, _ := json.Marshal(p)
	return s.sendEnvelope(ctx, "interactive", payload, ru, trig)
}

// Submission is a modal submitted by a person. Values maps block_id, then
// action_id, to the typed value. UserID defaults to the user the view was
// opened for.
type Submission struct {
	ViewID string
	UserID string
	Values map[string]map[string]string
}

// SubmitView sends an interactive envelope with a view_submission payload
// for a view opened with views.open, and returns the envelope id (its ack
// carries the response_action, if any). The test fails if the view is
// unknown.
func (s *Server) SubmitView(ctx context.Context, sub Submission) string {
	s.mu.Lock()
	v, ok := s.views[sub.ViewID]
	if !ok {
		s.mu.Unlock()
		s.t.Errorf("slacktest: SubmitView: no view %q was opened", sub.ViewID)
		return ""
	}
	if sub.UserID == "" {
		sub.UserID = v.UserID
	}
	values := map[string]map[string]any{}
	for blockID, actions := range sub.Values {
		values[blockID] = map[string]any{}
		for actionID, val := range actions {
			values[blockID][actionID] = map[string]any{"type": inputElementType(v, blockID, actionID), "value": val}
		}
	}
	trig := s.newTriggerLocked(sub.UserID)
	wv := s.wireViewLocked(v, values)
	s.mu.Unlock()

	name := strings.ToLower(sub.UserID)
	payload, _ := json.Marshal(map[string]any{
		"type":                  "view_submission",
		"team":                  map[string]any{"id": s.cfg.teamID, "domain": s.cfg.teamDomain},
		"user":                  map[string]any{"id": sub.UserID, "username": name, "name": name, "team_id": s.cfg.teamID},
		"api_app_id":            s.cfg.appID,
		"token":                 "verification-token-unused",
		"trigger_id":            trig,
		"view":                  wv,
		"response_urls":         []any{},
		"is_enterprise_install": false,
		"enterprise":            nil,
	})
	return s.sendEnvelope(ctx, "interactive", payload, nil, trig)
}

func (s *Server) sendEnvelope(ctx context.Context, typ string, payload json.RawMessage, ru *responseURL, trig string) string {
	e := &envelope{typ: typ, payload: payload, acceptsResp: true, triggerID: trig}
	s.mu.Lock()
	e.id = s.nextIDLocked("env-")
	if ru != nil {
		e.responseURL = ru.url
		ru.envelopeID = e.id
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
