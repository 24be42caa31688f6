package slacktest

import (
	"encoding/json"
	"unicode/utf8"
)

// Limits the fake enforces the way Slack does, answering its error strings.
const (
	maxBlocksMessage = 50
	maxBlocksModal   = 100
	maxModalTitle    = 24
	maxPrivateMeta   = 3000
)

func (s *Server) findMessageLocked(channel, ts string) *Message {
	for _, m := range s.messages {
		if m.Channel == channel && m.TS == ts {
			return m
		}
	}
	return nil
}

// checkBlocks validates a blocks form value: valid JSON array within limit.
func checkBlocks(raw string, limit int) (json.RawMessage, string) {
	if raw == "" {
		return nil, ""
	}
	var bs []json.RawMessage
	if err := json.Unmarshal([]byte(raw), &bs); err != nil {
		return nil, "invalid_blocks_format"
	}
	if len(bs) > limit {
		return nil, "invalid_blocks"
	}
	return json.RawMessage(raw), ""
}

func (s *Server) postMessageLocked(req apiRequest) apiResult {
	f := req.form
	ch := f.Get("channel")
	if ch == "" {
		return fail(ErrChannelNotFound)
	}
	if e := s.failChannel[ch]; e != "" {
		return fail(e)
	}
	blocks, e := checkBlocks(f.Get("blocks"), maxBlocksMessage)
	if e != "" {
		return fail(e)
	}
	text := f.Get("text")
	if text == "" && len(blocks) == 0 {
		return fail("no_text")
	}
	if utf8.RuneCountInString(text) > 40000 {
		return fail("msg_too_long")
	}
	ephemeral := req.method == "chat.postEphemeral"
	user := f.Get("user")
	if ephemeral && user == "" {
		return fail("user_not_found")
	}
	ts := s.nextTSLocked()
	m := &Message{
		Channel: ch, TS: ts, ThreadTS: f.Get("thread_ts"), Text: text, Blocks: blocks,
		Ephemeral: ephemeral, Source: req.method,
		Versions: []MessageVersion{{Text: text, Blocks: blocks, Method: req.method}},
	}
	if ephemeral {
		m.User = user
	}
	s.messages = append(s.messages, m)
	if ephemeral {
		return okResult(map[string]any{"message_ts": ts})
	}
	return okResult(map[string]any{"channel": ch, "ts": ts, "message": s.wireMessage(m)})
}

func (s *Server) wireMessage(m *Message) map[string]any {
	out := map[string]any{
		"type": "message", "user": s.cfg.botUserID, "bot_id": s.cfg.botID,
		"app_id": s.cfg.appID, "team": s.cfg.teamID, "text": m.Text, "ts": m.TS,
	}
	if len(m.Blocks) > 0 {
		out["blocks"] = m.Blocks
	}
	if m.ThreadTS != "" {
		out["thread_ts"] = m.ThreadTS
	}
	return out
}

func (s *Server) updateMessageLocked(req apiRequest) apiResult {
	f := req.form
	ch, ts := f.Get("channel"), f.Get("ts")
	if ch == "" {
		return fail(ErrChannelNotFound)
	}
	if e := s.failChannel[ch]; e != "" {
		return fail(e)
	}
	m := s.findMessageLocked(ch, ts)
	// Slack cannot edit ephemeral messages through chat.update.
	if m == nil || m.Deleted || m.Ephemeral {
		return fail(ErrMessageNotFound)
	}
	blocks, e := checkBlocks(f.Get("blocks"), maxBlocksMessage)
	if e != "" {
		return fail(e)
	}
	text := f.Get("text")
	if f.Has("text") {
		m.Text = text
	}
	if f.Has("blocks") {
		m.Blocks = blocks
	}
	m.Versions = append(m.Versions, MessageVersion{Text: m.Text, Blocks: m.Blocks, Method: req.method})
	return okResult(map[string]any{"channel": ch, "ts": ts, "text": m.Text, "message": s.wireMessage(m)})
}

func (s *Server) deleteMessageLocked(req apiRequest) apiResult {
	f := req.form
	ch, ts := f.Get("channel"), f.Get("ts")
	if e := s.failChannel[ch]; e != "" {
		return fail(e)
	}
	m := s.findMessageLocked(ch, ts)
	if m == nil || m.Deleted || m.Ephemeral {
		return fail(ErrMessageNotFound)
	}
	m.Deleted = true
	return okResult(map[string]any{"channel": ch, "ts": ts})
}

// wireView is the part of a view request the fake understands.
type wireView struct {
	Type  string `json:"type"`
	Title *struct {
		Text string `json:"text"`
	} `json:"title"`
	Blocks          []json.RawMessage `json:"blocks"`
	PrivateMetadata string            `json:"private_metadata"`
	CallbackID      string            `json:"callback_id"`
	ExternalID      string            `json:"external_id"`
}

func checkView(raw json.RawMessage) (wireView, string) {
	var v wireView
	if err := json.Unmarshal(raw, &v); err != nil || v.Type != "modal" {
		return v, "invalid_arguments"
	}
	if v.Title == nil || v.Title.Text == "" || utf8.RuneCountInString(v.Title.Text) > maxModalTitle {
		return v, "invalid_arguments"
	}
	if len(v.Blocks) > maxBlocksModal || len(v.PrivateMetadata) > maxPrivateMeta {
		return v, "invalid_arguments"
	}
	return v, ""
}

func (s *Server) openViewLocked(req apiRequest) apiResult {
	var body struct {
		TriggerID string          `json:"trigger_id"`
		View      json.RawMessage `json:"view"`
	}
	if json.Unmarshal(req.body, &body) != nil {
		return fail("invalid_json")
	}
	tr, ok := s.triggers[body.TriggerID]
	if !ok {
		return fail("invalid_trigger_id")
	}
	if tr.used || s.cfg.now().Sub(tr.issued) > s.cfg.triggerTTL {
		return fail(ErrExpiredTriggerID)
	}
	wv, e := checkView(body.View)
	if e != "" {
		return fail(e)
	}
	tr.used = true
	v := &View{
		ID: s.nextIDLocked("V"), UserID: tr.userID, TriggerID: body.TriggerID,
		CallbackID: wv.CallbackID, PrivateMetadata: wv.PrivateMetadata, ExternalID: wv.ExternalID,
		Hash: s.nextIDLocked("hash-"), Title: wv.Title.Text, JSON: body.View,
	}
	s.views[v.ID] = v
	s.viewOrder = append(s.viewOrder, v.ID)
	return okResult(map[string]any{"view": s.wireViewLocked(v, nil)})
}

func (s *Server) updateViewLocked(req apiRequest) apiResult {
	var body struct {
		View       json.RawMessage `json:"view"`
		ExternalID string          `json:"external_id"`
		Hash       string          `json:"hash"`
		ViewID     string          `json:"view_id"`
	}
	if json.Unmarshal(req.body, &body) != nil {
		return fail("invalid_json")
	}
	var v *View
	for _, id := range s.viewOrder {
		c := s.views[id]
		if (body.ViewID != "" && c.ID == body.ViewID) || (body.ViewID == "" && body.ExternalID != "" && c.ExternalID == body.ExternalID) {
			v = c
		}
	}
	if v == nil {
		return fail("not_found")
	}
	if body.Hash != "" && body.Hash != v.Hash {
		return fail("hash_conflict")
	}
	wv, e := checkView(body.View)
	if e != "" {
		return fail(e)
	}
	v.JSON, v.Title, v.CallbackID = body.View, wv.Title.Text, wv.CallbackID
	v.PrivateMetadata, v.Hash = wv.PrivateMetadata, s.nextIDLocked("hash-")
	v.Updates++
	return okResult(map[string]any{"view": s.wireViewLocked(v, nil)})
}

// wireViewLocked renders v as Slack sends it back (views.* answers and
// view_submission payloads), with state values.
func (s *Server) wireViewLocked(v *View, values map[string]map[string]any) map[string]any {
	var raw map[string]any
	_ = json.Unmarshal(v.JSON, &raw)
	if values == nil {
		values = map[string]map[string]any{}
	}
	out := map[string]any{
		"id": v.ID, "team_id": s.cfg.teamID, "type": "modal",
		"private_metadata": v.PrivateMetadata, "callback_id": v.CallbackID,
		"state": map[string]any{"values": values}, "hash": v.Hash,
		"clear_on_close": false, "notify_on_close": false,
		"previous_view_id": nil, "root_view_id": v.ID, "app_id": s.cfg.appID,
		"external_id": v.ExternalID, "app_installed_team_id": s.cfg.teamID, "bot_id": s.cfg.botID,
	}
	for _, k := range []string{"title", "blocks", "close", "submit"} {
		if x, ok := raw[k]; ok {
			out[k] = x
		} else if k != "blocks" {
			out[k] = nil
		}
	}
	return out
}

// inputElementType returns the type of the element with actionID in the
// input block blockID of v ("plain_text_input" when unknown).
func inputElementType(v *View, blockID, actionID string) string {
	var raw struct {
		Blocks []struct {
			BlockID string `json:"block_id"`
			Element struct {
				Type     string `json:"type"`
				ActionID string `json:"action_id"`
			} `json:"element"`
		} `json:"blocks"`
	}
	_ = json.Unmarshal(v.JSON, &raw)
	for _, b := range raw.Blocks {
		if b.BlockID == blockID && b.Element.ActionID == actionID && b.Element.Type != "" {
			return b.Element.Type
		}
	}
	return "plain_text_input"
}
