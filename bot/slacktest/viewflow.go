package slacktest

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// Submission is a modal submitted by a person. Values maps block_id, then
// action_id, to the typed value; for a static_select or external_select
// it is the chosen option's value, for checkboxes the chosen values
// joined by commas. UserID defaults to the user the view
// was opened for.
type Submission struct {
	ViewID string
	UserID string
	Values map[string]map[string]string
}

// SubmitView sends an interactive envelope with a view_submission payload
// (the view as last set, its private_metadata and state values) and
// returns the envelope id. Its ack is applied as Slack applies it:
// response_action "errors" keeps the modal open (Ack.Refused is set when an
// error names no input block of the view), "update" replaces it, "push"
// records a new modal on top, "clear" closes the stack, and no
// response_action closes the modal. The test fails if the view is unknown
// or closed, or a value names no element of it.
func (s *Server) SubmitView(ctx context.Context, sub Submission) string {
	s.mu.Lock()
	v := s.openModalLocked("SubmitView", sub.ViewID)
	if v == nil {
		s.mu.Unlock()
		return ""
	}
	if sub.UserID == "" {
		sub.UserID = v.UserID
	}
	values, err := stateValues(v, sub.Values)
	if err != nil {
		s.mu.Unlock()
		s.t.Errorf("slacktest: SubmitView %s: %v", sub.ViewID, err)
		return ""
	}
	trig := s.newTriggerLocked(sub.UserID)
	wv := s.wireViewLocked(v, values)
	s.mu.Unlock()

	p := s.interactionBase("view_submission", sub.UserID, trig)
	p["view"], p["response_urls"] = wv, []any{}
	payload, _ := json.Marshal(p)
	return s.sendInteraction(ctx, payload, interaction{trigger: trig, viewID: v.ID, kind: "view_submission"})
}

// ViewClose is a person closing a modal (its Cancel or ×).
type ViewClose struct {
	ViewID string
	UserID string // default: the user the view was opened for
	// IsCleared is Slack's is_cleared: the whole stack was closed.
	IsCleared bool
}

// CloseView closes a modal and, as Slack does only for a view opened with
// notify_on_close: true, sends a view_closed interactive envelope; it
// returns its id. Closing a view without notify_on_close fails the test,
// since Slack would tell the app nothing.
func (s *Server) CloseView(ctx context.Context, c ViewClose) string {
	s.mu.Lock()
	v := s.openModalLocked("CloseView", c.ViewID)
	if v == nil {
		s.mu.Unlock()
		return ""
	}
	v.Closed = true
	s.notifyLocked()
	if !v.NotifyOnClose {
		s.mu.Unlock()
		s.t.Errorf("slacktest: CloseView %s: the view has no notify_on_close, Slack sends no view_closed", c.ViewID)
		return ""
	}
	if c.UserID == "" {
		c.UserID = v.UserID
	}
	wv := s.wireViewLocked(v, nil)
	s.mu.Unlock()

	p := s.interactionBase("view_closed", c.UserID, "")
	delete(p, "trigger_id")
	p["view"], p["is_cleared"] = wv, c.IsCleared
	payload, _ := json.Marshal(p)
	return s.sendInteraction(ctx, payload, interaction{viewID: v.ID, kind: "view_closed"})
}

// openModalLocked returns the open modal named id, or fails the test.
func (s *Server) openModalLocked(caller, id string) *View {
	v, ok := s.views[id]
	if !ok || v.Closed {
		s.t.Errorf("slacktest: %s: no open modal %q", caller, id)
		return nil
	}
	return v
}

// stateValues builds view.state.values as Slack sends them for each
// element's type.
func stateValues(v *View, in map[string]map[string]string) (map[string]map[string]any, error) {
	out := map[string]map[string]any{}
	for _, blockID := range sortedKeys(in) {
		out[blockID] = map[string]any{}
		for _, actionID := range sortedKeys(in[blockID]) {
			val := in[blockID][actionID]
			el, ok := findElement(v, blockID, actionID)
			if !ok {
				// Forms declared by hand in tests: a text input.
				out[blockID][actionID] = map[string]any{"type": "plain_text_input", "value": val}
				continue
			}
			sv, err := stateValue(el, val)
			if err != nil {
				return nil, err
			}
			out[blockID][actionID] = sv
		}
	}
	return out, nil
}

func stateValue(el viewElement, val string) (map[string]any, error) {
	switch el.Type {
	case "static_select", "external_select":
		text := val
		if el.Type == "static_select" {
			opts := optionsOf(el.Raw)
			i := slices.IndexFunc(opts, func(o SelectOption) bool { return o.Value == val })
			if i < 0 {
				return nil, fmt.Errorf("%s/%s has no option %q", el.BlockID, el.ActionID, val)
			}
			text = opts[i].Text
		}
		return map[string]any{"type": el.Type, "selected_option": map[string]any{
			"text": map[string]any{"type": "plain_text", "text": text, "emoji": true}, "value": val,
		}}, nil
	case "datepicker":
		return map[string]any{"type": el.Type, "selected_date": val}, nil
	case "checkboxes":
		// val: the chosen options' values, comma-separated.
		opts := optionsOf(el.Raw)
		chosen := []any{}
		for _, v := range strings.Split(val, ",") {
			if v = strings.TrimSpace(v); v == "" {
				continue
			}
			i := slices.IndexFunc(opts, func(o SelectOption) bool { return o.Value == v })
			if i < 0 {
				return nil, fmt.Errorf("%s/%s has no option %q", el.BlockID, el.ActionID, v)
			}
			chosen = append(chosen, map[string]any{"text": map[string]any{"type": "plain_text", "text": opts[i].Text, "emoji": true}, "value": v})
		}
		return map[string]any{"type": el.Type, "selected_options": chosen}, nil
	}
	return map[string]any{"type": el.Type, "value": val}, nil
}

// optionsOf reads the options (and option_groups' options) of an element
// or an ack payload.
func optionsOf(raw json.RawMessage) []SelectOption {
	type wireOption struct {
		Text struct {
			Text string `json:"text"`
		} `json:"text"`
		Value string `json:"value"`
	}
	var el struct {
		Options []wireOption `json:"options"`
		Groups  []struct {
			Options []wireOption `json:"options"`
		} `json:"option_groups"`
	}
	_ = json.Unmarshal(raw, &el)
	all := el.Options
	for _, g := range el.Groups {
		all = append(all, g.Options...)
	}
	out := make([]SelectOption, 0, len(all))
	for _, o := range all {
		out = append(out, SelectOption{Text: o.Text.Text, Value: o.Value})
	}
	return out
}

// applyViewAckLocked does to the recorded views what Slack does with a
// view_submission ack, and returns why Slack would refuse it ("" if not).
func (s *Server) applyViewAckLocked(v *View, payload json.RawMessage) string {
	var resp struct {
		Action string            `json:"response_action"`
		Errors map[string]string `json:"errors"`
		View   json.RawMessage   `json:"view"`
	}
	if len(payload) > 0 && json.Unmarshal(payload, &resp) != nil {
		return "payload is not a JSON object"
	}
	switch resp.Action {
	case "":
		v.Closed = true
	case "errors":
		var bad []string
		for blockID := range resp.Errors {
			if !slices.ContainsFunc(viewElements(v), func(e viewElement) bool { return e.Input && e.BlockID == blockID }) {
				bad = append(bad, blockID)
			}
		}
		if len(resp.Errors) == 0 || len(bad) > 0 {
			slices.Sort(bad)
			return "errors name no input block of the view: " + strings.Join(bad, ", ")
		}
	case "update", "push":
		wv, why := checkView(resp.View, "modal")
		if why != "" {
			return "response_action " + resp.Action + ": " + why
		}
		if resp.Action == "update" {
			s.replaceViewLocked(v, resp.View, wv)
		} else {
			s.newModalLocked(v.UserID, "", v.ID, resp.View, wv)
		}
	case "clear":
		for _, id := range s.viewOrder {
			if w := s.views[id]; w.RootViewID == v.RootViewID {
				w.Closed = true
			}
		}
	default:
		return "unknown response_action " + resp.Action
	}
	return ""
}

// ViewResponse is a view_submission ack payload, decoded.
type ViewResponse struct {
	Action string            // response_action: "", errors, update, push, clear
	Errors map[string]string // block_id → message, for "errors"
	View   json.RawMessage   // for update and push
}

// ViewResponse decodes the ack's payload as a view_submission answer (an
// empty payload is the zero ViewResponse: the modal closes).
func (a Ack) ViewResponse() (ViewResponse, error) {
	var r struct {
		Action string            `json:"response_action"`
		Errors map[string]string `json:"errors"`
		View   json.RawMessage   `json:"view"`
	}
	if len(a.Payload) > 0 {
		if err := json.Unmarshal(a.Payload, &r); err != nil {
			return ViewResponse{}, fmt.Errorf("slacktest: ack payload of %s: %w", a.EnvelopeID, err)
		}
	}
	return ViewResponse{Action: r.Action, Errors: r.Errors, View: r.View}, nil
}

// HomeView returns the Home tab last published for user.
func (s *Server) HomeView(user string) (View, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v, ok := s.homes[user]; ok {
		return *v, true
	}
	return View{}, false
}

// WaitForHomeView waits until user's Home tab (latest version) satisfies
// match, and returns it.
func (s *Server) WaitForHomeView(t testing.TB, user string, match func(View) bool, timeout time.Duration) View {
	t.Helper()
	var got View
	if !s.waitUntil(timeout, func() bool {
		v, ok := s.HomeView(user)
		got = v
		return ok && match(v)
	}) {
		t.Fatalf("slacktest: no matching Home view for %s within %v (published: %v, %d updates)", user, timeout, got.ID != "", got.Updates)
	}
	return got
}
