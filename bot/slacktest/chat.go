package slacktest

import (
	"encoding/json"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Limits the fake enforces the way Slack does, answering its error strings.
const (
	maxBlocksMessage = 50
	maxBlocksModal   = 100
	maxModalTitle    = 24
	maxPrivateMeta   = 3000
	maxMessageText   = 40000
)

var tsPattern = regexp.MustCompile(`^\d+\.\d+$`)

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
	for _, b := range bs {
		if duplicateActionID(b) {
			return nil, "invalid_blocks"
		}
	}
	return json.RawMessage(raw), ""
}

// duplicateActionID reports whether two elements of one block share an
// action_id, which Slack refuses (an action_id must be unique in its
// block).
func duplicateActionID(block json.RawMessage) bool {
	var b struct {
		Elements []struct {
			ActionID string `json:"action_id"`
		} `json:"elements"`
	}
	if json.Unmarshal(block, &b) != nil {
		return false
	}
	seen := map[string]bool{}
	for _, e := range b.Elements {
		if e.ActionID == "" {
			continue
		}
		if seen[e.ActionID] {
			return true
		}
		seen[e.ActionID] = true
	}
	return false
}

// postTargetLocked resolves the channel of a chat.post* call to the
// conversation that shows the message, or Slack's error. A user id (U…)
// is the app's Messages tab with that person, as Slack allows.
func (s *Server) postTargetLocked(ch string) (*conversation, string) {
	if ch == "" {
		return nil, ErrChannelNotFound
	}
	if e := s.failChannel[ch]; e != "" {
		return nil, e
	}
	if userIDPattern.MatchString(ch) {
		if _, ok := s.userLocked(ch); !ok {
			return nil, ErrChannelNotFound
		}
		return &conversation{Conversation: Conversation{ID: ch, Kind: IM, Members: []string{ch}}}, ""
	}
	c := s.convLocked(ch)
	if c == nil {
		return nil, ErrChannelNotFound
	}
	return c, c.postError()
}

func (s *Server) postMessageLocked(req apiRequest) apiResult {
	f := req.form
	ch := f.Get("channel")
	conv, e := s.postTargetLocked(ch)
	if e != "" {
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
	if utf8.RuneCountInString(text) > maxMessageText {
		return fail("msg_too_long")
	}
	ephemeral := req.method == "chat.postEphemeral"
	user := f.Get("user")
	if ephemeral {
		if _, ok := s.userLocked(user); !ok {
			return fail(ErrUserNotFound)
		}
		if !conv.has(user) {
			return fail(ErrUserNotInChannel)
		}
	}
	threadTS, e := s.threadRootLocked(ch, f.Get("thread_ts"))
	if e != "" {
		return fail(e)
	}
	m := &Message{
		Channel: ch, TS: s.nextTSLocked(), ThreadTS: threadTS, Text: text, Blocks: blocks,
		Broadcast: threadTS != "" && f.Get("reply_broadcast") == "true",
		Ephemeral: ephemeral, Source: req.method,
		Versions: []MessageVersion{{Text: text, Blocks: blocks, Method: req.method}},
	}
	if ephemeral {
		m.User, m.Visibility, m.SeenBy = user, VisibleToOne, []string{user}
	} else {
		m.Visibility, m.SeenBy, m.Everyone = conv.audience()
	}
	s.addMessageLocked(m)
	if ephemeral {
		return okResult(map[string]any{"message_ts": m.TS})
	}
	return okResult(map[string]any{"channel": ch, "ts": m.TS, "message": s.wireMessage(m)})
}

// threadRootLocked checks a thread_ts: it must name a message the bot
// posted in channel (not ephemeral, not deleted), else Slack answers
// invalid_thread_ts. A reply's ts leads to its parent's thread.
func (s *Server) threadRootLocked(channel, ts string) (string, string) {
	if ts == "" {
		return "", ""
	}
	if !tsPattern.MatchString(ts) {
		return "", ErrInvalidThreadTS
	}
	parent := s.findMessageLocked(channel, ts)
	if parent == nil || parent.Ephemeral || parent.Deleted {
		return "", ErrInvalidThreadTS
	}
	if parent.ThreadTS != "" {
		return parent.ThreadTS, ""
	}
	return parent.TS, ""
}

func (s *Server) addMessageLocked(m *Message) {
	s.seq++
	m.seq = s.seq
	s.messages = append(s.messages, m)
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

// permalinkLocked answers chat.getPermalink(channel, message_ts) for a
// message the bot posted in a conversation (a post to a user id has no
// conversation id here: channel_not_found, which is why DESIGN §9 opens
// the IM first).
func (s *Server) permalinkLocked(req apiRequest) apiResult {
	ch, ts := req.form.Get("channel"), req.form.Get("message_ts")
	if e := s.failChannel[ch]; e != "" {
		return fail(e)
	}
	c := s.convLocked(ch)
	if c == nil || (c.BotAbsent && c.Kind != PublicChannel) {
		return fail(ErrChannelNotFound)
	}
	m := s.findMessageLocked(ch, ts)
	if m == nil || m.Deleted || m.Ephemeral {
		return fail(ErrMessageNotFound)
	}
	return okResult(map[string]any{"channel": ch, "permalink": s.permalinkOf(m)})
}

// Permalink is the link chat.getPermalink answers for the message at
// channel and ts ("" when no such message was posted), for tests that
// check a DM links to a request.
func (s *Server) Permalink(channel, ts string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m := s.findMessageLocked(channel, ts); m != nil && !m.Ephemeral {
		return s.permalinkOf(m)
	}
	return ""
}

// permalinkOf builds Slack's permalink shape: /archives/C…/p<ts without
// the dot>, with thread_ts and cid for a reply.
func (s *Server) permalinkOf(m *Message) string {
	link := "https://" + s.cfg.teamDomain + ".slack.test/archives/" + m.Channel + "/p" + strings.ReplaceAll(m.TS, ".", "")
	if m.ThreadTS != "" && m.ThreadTS != m.TS {
		link += "?" + url.Values{"thread_ts": {m.ThreadTS}, "cid": {m.Channel}}.Encode()
	}
	return link
}
