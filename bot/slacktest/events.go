package slacktest

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"
	"unicode/utf8"
)

// Slack's limits on a block_suggestion answer.
const (
	maxOptions     = 100
	maxOptionText  = 75
	maxOptionValue = 150
)

const (
	eventsAPIType  = "events_api"
	suggestionKind = "block_suggestion"
)

// AppHomeOpened is a person opening the app's Home (tab "home") or
// Messages (tab "messages") tab.
type AppHomeOpened struct {
	UserID string
	Tab    string // default "home"
}

// OpenAppHome sends an events_api envelope carrying an app_home_opened
// event_callback, as Slack does when a person opens the app: channel is
// the bot's IM with them, view their current Home tab when one was
// published. It returns the envelope id and blocks like SendSlashCommand.
func (s *Server) OpenAppHome(ctx context.Context, o AppHomeOpened) string {
	if o.Tab == "" {
		o.Tab = "home"
	}
	s.mu.Lock()
	now := s.cfg.now()
	event := map[string]any{
		"type": "app_home_opened", "user": o.UserID, "channel": s.imLocked(o.UserID).ID,
		"tab": o.Tab, "event_ts": s.nextTSLocked(),
	}
	if v, ok := s.homes[o.UserID]; ok && o.Tab == "home" {
		event["view"] = s.wireViewLocked(v, nil)
	}
	eventID := s.nextIDLocked("Ev")
	s.mu.Unlock()
	payload, _ := json.Marshal(map[string]any{
		"token": "verification-token-unused", "team_id": s.cfg.teamID, "api_app_id": s.cfg.appID,
		"event": event, "type": "event_callback", "event_id": eventID, "event_time": now.Unix(),
		"authorizations": []any{map[string]any{
			"team_id": s.cfg.teamID, "user_id": s.cfg.botUserID, "is_bot": true, "is_enterprise_install": false,
		}},
		"is_ext_shared_channel": false,
	})
	return s.sendInteraction(ctx, payload, interaction{envType: eventsAPIType, kind: "app_home_opened", noResp: true})
}

// Suggestion is what a person typed in an external_select: in a modal
// (ViewID) or in a message (ChannelID and MessageTS). The element is
// looked up by BlockID and ActionID in the view, and must be an
// external_select there.
type Suggestion struct {
	UserID    string // default: the view's user
	ViewID    string
	ChannelID string
	MessageTS string
	BlockID   string
	ActionID  string
	Value     string // the typed text
}

// Suggest sends an interactive envelope with a block_suggestion payload and
// returns its id. The app answers with options in the ack; WaitForOptions
// reads them.
func (s *Server) Suggest(ctx context.Context, sg Suggestion) string {
	s.mu.Lock()
	var container map[string]any
	var wv map[string]any
	if sg.ViewID != "" {
		v := s.openModalLocked("Suggest", sg.ViewID)
		if v == nil {
			s.mu.Unlock()
			return ""
		}
		el, ok := findElement(v, sg.BlockID, sg.ActionID)
		if !ok || el.Type != "external_select" {
			s.mu.Unlock()
			s.t.Errorf("slacktest: Suggest: view %s has no external_select %s/%s", sg.ViewID, sg.BlockID, sg.ActionID)
			return ""
		}
		if sg.UserID == "" {
			sg.UserID = v.UserID
		}
		container = map[string]any{"type": "view", "view_id": v.ID}
		wv = s.wireViewLocked(v, nil)
	} else {
		container = map[string]any{"type": "message", "message_ts": sg.MessageTS, "channel_id": sg.ChannelID, "is_ephemeral": false}
	}
	s.mu.Unlock()

	p := s.interactionBase(suggestionKind, sg.UserID, "")
	delete(p, "trigger_id")
	p["container"], p["action_id"], p["block_id"], p["value"] = container, sg.ActionID, sg.BlockID, sg.Value
	if wv != nil {
		p["view"] = wv
	}
	if sg.ChannelID != "" {
		p["channel"] = map[string]any{"id": sg.ChannelID, "name": s.channelName(sg.ChannelID)}
	}
	payload, _ := json.Marshal(p)
	return s.sendInteraction(ctx, payload, interaction{viewID: sg.ViewID, kind: suggestionKind})
}

func (s *Server) channelName(id string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.channelNameLocked(id)
}

// SelectOption is one choice of a select menu.
type SelectOption struct {
	Text  string
	Value string
}

// Options decodes a block_suggestion ack payload: its options, then the
// options of its option_groups, in order. It does not judge them: Refused
// on the ack says whether Slack would show them.
func (a Ack) Options() []SelectOption { return optionsOf(a.Payload) }

// checkOptions is why Slack would refuse a block_suggestion answer.
func checkOptions(payload json.RawMessage) string {
	var top struct {
		Options []json.RawMessage `json:"options"`
		Groups  []json.RawMessage `json:"option_groups"`
	}
	if len(payload) > 0 && json.Unmarshal(payload, &top) != nil {
		return "payload is not a JSON object"
	}
	if n := len(top.Options) + len(top.Groups); n > maxOptions {
		return fmt.Sprintf("%d options or groups, Slack shows at most %d", n, maxOptions)
	}
	for _, o := range optionsOf(payload) {
		switch {
		case utf8.RuneCountInString(o.Text) > maxOptionText:
			return fmt.Sprintf("option text %q over %d characters", truncate(o.Text, 40), maxOptionText)
		case utf8.RuneCountInString(o.Value) > maxOptionValue:
			return fmt.Sprintf("option value %q over %d characters", truncate(o.Value, 40), maxOptionValue)
		}
	}
	return ""
}

// OptionsAck is the app's answer to a block_suggestion.
type OptionsAck struct {
	Ack
	Options []SelectOption
}

// WaitForOptions waits for the ack of a Suggest envelope and returns the
// options it carried, with the ack's latency and Refused (set when Slack
// would refuse them: more than 100, a text over 75 characters, ...).
func (s *Server) WaitForOptions(t testing.TB, envelopeID string, timeout time.Duration) OptionsAck {
	t.Helper()
	a := s.WaitForAck(t, envelopeID, timeout)
	return OptionsAck{Ack: a, Options: a.Options()}
}
