package slacktest

import (
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

const maxViewID = 255 // callback_id and external_id

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
	NotifyOnClose   bool              `json:"notify_on_close"`
}

// checkView validates a view of the wanted type ("modal" or "home") as
// Slack does, answering "" or the response_metadata message Slack gives
// with invalid_arguments.
func checkView(raw json.RawMessage, want string) (wireView, string) {
	var v wireView
	if err := json.Unmarshal(raw, &v); err != nil {
		return v, "[ERROR] failed to match all allowed schemas [json-pointer:/view]"
	}
	if v.Type != want {
		return v, fmt.Sprintf("[ERROR] must be %q [json-pointer:/view/type]", want)
	}
	switch {
	case want == "modal" && (v.Title == nil || v.Title.Text == ""):
		return v, "[ERROR] missing required field: title [json-pointer:/view]"
	case want == "modal" && utf8.RuneCountInString(v.Title.Text) > maxModalTitle:
		return v, fmt.Sprintf("[ERROR] must be less than %d characters [json-pointer:/view/title/text]", maxModalTitle+1)
	case len(v.Blocks) > maxBlocksModal:
		return v, fmt.Sprintf("[ERROR] no more than %d items allowed [json-pointer:/view/blocks]", maxBlocksModal)
	case utf8.RuneCountInString(v.PrivateMetadata) > maxPrivateMeta:
		return v, fmt.Sprintf("[ERROR] must be less than %d characters [json-pointer:/view/private_metadata]", maxPrivateMeta+1)
	case utf8.RuneCountInString(v.CallbackID) > maxViewID:
		return v, fmt.Sprintf("[ERROR] must be less than %d characters [json-pointer:/view/callback_id]", maxViewID+1)
	case utf8.RuneCountInString(v.ExternalID) > maxViewID:
		return v, fmt.Sprintf("[ERROR] must be less than %d characters [json-pointer:/view/external_id]", maxViewID+1)
	}
	return v, ""
}

// viewBody reads a views.* request: JSON (what slack-go sends) or form
// fields with the view as a JSON string.
func viewBody(req apiRequest, into any) bool {
	if req.body != nil {
		return json.Unmarshal(req.body, into) == nil
	}
	m := map[string]any{}
	for k := range req.form {
		v := req.form.Get(k)
		if k == "view" {
			m[k] = json.RawMessage(v)
			continue
		}
		m[k] = v
	}
	b, err := json.Marshal(m)
	return err == nil && json.Unmarshal(b, into) == nil
}

func (s *Server) openViewLocked(req apiRequest) apiResult {
	var body struct {
		TriggerID string          `json:"trigger_id"`
		View      json.RawMessage `json:"view"`
	}
	if !viewBody(req, &body) {
		return fail("invalid_json")
	}
	tr, ok := s.triggers[body.TriggerID]
	if !ok {
		return fail(ErrInvalidTriggerID)
	}
	if tr.used || s.cfg.now().Sub(tr.issued) > s.cfg.triggerTTL {
		return fail(ErrExpiredTriggerID)
	}
	wv, why := checkView(body.View, "modal")
	if why != "" {
		return failWhy("invalid_arguments", why)
	}
	if wv.ExternalID != "" && s.viewByExternalIDLocked(wv.ExternalID) != nil {
		return fail("duplicate_external_id")
	}
	tr.used = true
	v := s.newModalLocked(tr.userID, body.TriggerID, "", body.View, wv)
	return okResult(map[string]any{"view": s.wireViewLocked(v, nil)})
}

// newModalLocked records a modal on top of previous ("" for a new stack).
func (s *Server) newModalLocked(user, trigger, previous string, raw json.RawMessage, wv wireView) *View {
	v := &View{
		ID: s.nextIDLocked("V"), Type: "modal", UserID: user, TriggerID: trigger,
		CallbackID: wv.CallbackID, PrivateMetadata: wv.PrivateMetadata, ExternalID: wv.ExternalID,
		Hash: s.nextIDLocked("hash-"), Title: wv.Title.Text, JSON: raw,
		NotifyOnClose: wv.NotifyOnClose, PreviousViewID: previous,
	}
	v.RootViewID = v.ID
	if p, ok := s.views[previous]; ok {
		v.RootViewID = p.RootViewID
	}
	s.views[v.ID] = v
	s.viewOrder = append(s.viewOrder, v.ID)
	return v
}

func (s *Server) viewByExternalIDLocked(ext string) *View {
	for _, id := range s.viewOrder {
		if v := s.views[id]; v.ExternalID == ext {
			return v
		}
	}
	return nil
}

// updateViewLocked answers views.update: the modal named by view_id or
// external_id (not_found otherwise); a hash that is not the view's latest
// is hash_conflict, as Slack guards against racing updates.
func (s *Server) updateViewLocked(req apiRequest) apiResult {
	var body struct {
		View       json.RawMessage `json:"view"`
		ExternalID string          `json:"external_id"`
		Hash       string          `json:"hash"`
		ViewID     string          `json:"view_id"`
	}
	if !viewBody(req, &body) {
		return fail("invalid_json")
	}
	var v *View
	switch {
	case body.ViewID != "":
		v = s.views[body.ViewID]
	case body.ExternalID != "":
		v = s.viewByExternalIDLocked(body.ExternalID)
	default:
		return failWhy("invalid_arguments", "[ERROR] view_id or external_id is required")
	}
	if v == nil {
		return fail("not_found")
	}
	if body.Hash != "" && body.Hash != v.Hash {
		return fail("hash_conflict")
	}
	wv, why := checkView(body.View, "modal")
	if why != "" {
		return failWhy("invalid_arguments", why)
	}
	s.replaceViewLocked(v, body.View, wv)
	return okResult(map[string]any{"view": s.wireViewLocked(v, nil)})
}

func (s *Server) replaceViewLocked(v *View, raw json.RawMessage, wv wireView) {
	v.JSON, v.CallbackID, v.PrivateMetadata = raw, wv.CallbackID, wv.PrivateMetadata
	v.NotifyOnClose = wv.NotifyOnClose
	if wv.Title != nil {
		v.Title = wv.Title.Text
	}
	if wv.ExternalID != "" {
		v.ExternalID = wv.ExternalID
	}
	v.Hash = s.nextIDLocked("hash-")
	v.Updates++
}

// publishViewLocked answers views.publish(user_id, view{type: home}, hash):
// it sets that person's Home tab, one view per person.
func (s *Server) publishViewLocked(req apiRequest) apiResult {
	var body struct {
		UserID string          `json:"user_id"`
		View   json.RawMessage `json:"view"`
		Hash   string          `json:"hash"`
	}
	if !viewBody(req, &body) {
		return fail("invalid_json")
	}
	if _, ok := s.userLocked(body.UserID); !ok {
		return failWhy("invalid_arguments", "invalid `user_id`")
	}
	wv, why := checkView(body.View, "home")
	if why != "" {
		return failWhy("invalid_arguments", why)
	}
	v, ok := s.homes[body.UserID]
	switch {
	case ok && body.Hash != "" && body.Hash != v.Hash:
		return fail("hash_conflict")
	case ok:
		s.replaceViewLocked(v, body.View, wv)
	default:
		v = &View{
			ID: s.nextIDLocked("V"), Type: "home", UserID: body.UserID, CallbackID: wv.CallbackID,
			PrivateMetadata: wv.PrivateMetadata, ExternalID: wv.ExternalID,
			Hash: s.nextIDLocked("hash-"), JSON: body.View,
		}
		v.RootViewID = v.ID
		s.homes[body.UserID] = v
	}
	return okResult(map[string]any{"view": s.wireViewLocked(v, nil)})
}

// wireViewLocked renders v as Slack sends it back (views.* answers and
// interaction payloads), with state values.
func (s *Server) wireViewLocked(v *View, values map[string]map[string]any) map[string]any {
	var raw map[string]any
	_ = json.Unmarshal(v.JSON, &raw)
	if values == nil {
		values = map[string]map[string]any{}
	}
	var previous any
	if v.PreviousViewID != "" {
		previous = v.PreviousViewID
	}
	out := map[string]any{
		"id": v.ID, "team_id": s.cfg.teamID, "type": v.Type,
		"private_metadata": v.PrivateMetadata, "callback_id": v.CallbackID,
		"state": map[string]any{"values": values}, "hash": v.Hash,
		"clear_on_close": false, "notify_on_close": v.NotifyOnClose,
		"previous_view_id": previous, "root_view_id": v.RootViewID, "app_id": s.cfg.appID,
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

// viewElement is an element of a view's blocks: an input block's element,
// an actions block's elements or a section accessory.
type viewElement struct {
	BlockID  string
	ActionID string
	Type     string
	Raw      json.RawMessage
	Input    bool // in an input block
}

func viewElements(v *View) []viewElement {
	var raw struct {
		Blocks []struct {
			Type      string            `json:"type"`
			BlockID   string            `json:"block_id"`
			Element   json.RawMessage   `json:"element"`
			Elements  []json.RawMessage `json:"elements"`
			Accessory json.RawMessage   `json:"accessory"`
		} `json:"blocks"`
	}
	_ = json.Unmarshal(v.JSON, &raw)
	var out []viewElement
	for _, b := range raw.Blocks {
		els := b.Elements
		if len(b.Element) > 0 {
			els = append(els, b.Element)
		}
		if len(b.Accessory) > 0 {
			els = append(els, b.Accessory)
		}
		for _, el := range els {
			var e struct {
				Type     string `json:"type"`
				ActionID string `json:"action_id"`
			}
			if json.Unmarshal(el, &e) == nil && e.Type != "" {
				out = append(out, viewElement{BlockID: b.BlockID, ActionID: e.ActionID, Type: e.Type, Raw: el, Input: b.Type == "input"})
			}
		}
	}
	return out
}

func findElement(v *View, blockID, actionID string) (viewElement, bool) {
	for _, e := range viewElements(v) {
		if e.BlockID == blockID && e.ActionID == actionID {
			return e, true
		}
	}
	return viewElement{}, false
}
