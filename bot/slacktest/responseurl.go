package slacktest

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"time"
)

// responseURL is one response_url endpoint. channel and messageTS name the
// message that carried the clicked button (empty for slash commands).
type responseURL struct {
	url        string
	envelopeID string
	channel    string
	user       string // who typed the command or clicked
	messageTS  string
	ephemeral  bool
	created    time.Time
	uses       int
}

func (s *Server) newResponseURLLocked(channel, user, messageTS string, ephemeral bool) *responseURL {
	id := s.nextIDLocked("r")
	ru := &responseURL{
		url: s.srv.URL + "/response/" + id, channel: channel, user: user, messageTS: messageTS,
		ephemeral: ephemeral, created: s.cfg.now(),
	}
	s.responseURLs[id] = ru
	return ru
}

func (s *Server) handleResponseURL(w http.ResponseWriter, r *http.Request) {
	id := strings.TrimPrefix(r.URL.Path, "/response/")
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err != nil || r.Method != http.MethodPost {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	var msg struct {
		Text            string          `json:"text"`
		Blocks          json.RawMessage `json:"blocks"`
		ResponseType    string          `json:"response_type"`
		ReplaceOriginal bool            `json:"replace_original"`
		DeleteOriginal  bool            `json:"delete_original"`
		ThreadTS        string          `json:"thread_ts"`
	}
	decodeErr := json.Unmarshal(body, &msg)
	if string(msg.Blocks) == "null" {
		msg.Blocks = nil
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	ru, ok := s.responseURLs[id]
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]any{"ok": false, "error": "invalid_url"})
		return
	}
	post := ResponseURLPost{
		URL: ru.url, EnvelopeID: ru.envelopeID, Use: ru.uses + 1, Text: msg.Text, Blocks: msg.Blocks,
		ResponseType: msg.ResponseType, ReplaceOriginal: msg.ReplaceOriginal, DeleteOriginal: msg.DeleteOriginal,
		Channel: ru.channel, User: ru.user,
	}
	status := http.StatusOK
	switch {
	case s.cfg.now().Sub(ru.created) > s.cfg.responseURLTTL:
		post.Error, status = "expired_url", http.StatusNotFound
	case ru.uses >= s.cfg.responseURLUses:
		post.Error, status = "used_url", http.StatusNotFound
	case decodeErr != nil:
		post.Error, status = "invalid_payload", http.StatusBadRequest
	case !msg.DeleteOriginal && msg.Text == "" && len(msg.Blocks) == 0:
		post.Error, status = "no_text", http.StatusBadRequest
	}
	if post.Error == "" {
		if _, e := checkBlocks(string(msg.Blocks), maxBlocksMessage); e != "" {
			post.Error, status = e, http.StatusBadRequest
		}
	}
	if post.Error == "" {
		ru.uses++
		post.Private = s.applyResponseLocked(ru, post, msg.ThreadTS)
	}
	s.seq++
	post.seq = s.seq
	s.posts = append(s.posts, post)
	s.notifyLocked()
	if post.Error != "" {
		writeJSON(w, status, map[string]any{"ok": false, "error": post.Error})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"ok": true})
}

// applyResponseLocked does to recorded messages what Slack does: replace or
// delete the message that carried the button, or post an in_channel reply
// (to the conversation's members: a response_url works where the bot is
// not a member). Ephemeral replies exist only as posts; it reports whether
// the post was one, seen by the person who typed or clicked alone.
func (s *Server) applyResponseLocked(ru *responseURL, p ResponseURLPost, threadTS string) bool {
	var orig *Message
	if ru.messageTS != "" {
		orig = s.findMessageLocked(ru.channel, ru.messageTS)
	}
	switch {
	case p.DeleteOriginal:
		if orig != nil {
			orig.Deleted = true
		}
		return false
	case p.ReplaceOriginal && orig != nil:
		orig.Text, orig.Blocks = p.Text, p.Blocks
		orig.Versions = append(orig.Versions, MessageVersion{Text: p.Text, Blocks: p.Blocks, Method: "response_url"})
		return false
	case p.ReplaceOriginal && ru.messageTS != "" && !ru.ephemeral && orig == nil:
		return false // a message the fake never saw: nothing to show
	case p.ResponseType == "in_channel" && !p.ReplaceOriginal:
		m := &Message{
			Channel: ru.channel, TS: s.nextTSLocked(), ThreadTS: threadTS, Text: p.Text, Blocks: p.Blocks,
			Source:   "response_url",
			Versions: []MessageVersion{{Text: p.Text, Blocks: p.Blocks, Method: "response_url"}},
		}
		if c := s.convLocked(ru.channel); c != nil {
			m.Visibility, m.SeenBy, m.Everyone = c.audience()
		} else {
			m.Visibility, m.Everyone = VisibleToChannel, true
		}
		s.addMessageLocked(m)
		return false
	}
	return true
}
