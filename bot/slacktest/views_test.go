package slacktest

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

func plain(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject("plain_text", s, false, false)
}

func sections(n int) slack.Blocks {
	var bs []slack.Block
	for i := 0; i < n; i++ {
		bs = append(bs, slack.NewSectionBlock(plain("row"), nil, nil))
	}
	return slack.Blocks{BlockSet: bs}
}

// metaOf is the first response_metadata message of a Slack error.
func metaOf(err error) string {
	var se slack.SlackErrorResponse
	if errors.As(err, &se) && len(se.ResponseMetadata.Messages) > 0 {
		return se.ResponseMetadata.Messages[0]
	}
	return ""
}

// renewForm is a modal with a text input, a static select and an
// external_select, as DESIGN §9's forms have.
func renewForm() slack.ModalViewRequest {
	size := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, nil, "size",
		slack.NewOptionBlockObject("s", plain("Small (s)"), nil), slack.NewOptionBlockObject("m", plain("Medium (m)"), nil))
	instance := slack.NewOptionsSelectBlockElement(slack.OptTypeExternal, nil, "instance")
	return slack.ModalViewRequest{
		Type: slack.VTModal, Title: plain("Renew"), Submit: plain("Renew"), CallbackID: "renew",
		PrivateMetadata: `{"channel":"C1"}`, NotifyOnClose: true,
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			slack.NewInputBlock("instance", plain("Instance"), nil, instance),
			slack.NewInputBlock("size", plain("Size"), nil, size),
			slack.NewInputBlock("note", plain("Note"), nil, slack.NewPlainTextInputBlockElement(nil, "note_input")),
		}},
	}
}

// openForm opens modal with a fresh trigger from a slash command of user.
func openForm(t *testing.T, fake *Server, c *testClient, user string, modal slack.ModalViewRequest) View {
	t.Helper()
	fake.SendSlashCommand(t.Context(), SlashCommand{UserID: user, ChannelID: "C1", Text: "renew"})
	trig := c.next(t, socketmode.EventTypeSlashCommand).Data.(slack.SlashCommand).TriggerID
	opened, err := c.api.OpenViewContext(t.Context(), trig, modal)
	if err != nil {
		t.Fatal(err)
	}
	v, _ := fake.viewByID(opened.ID)
	return v
}

func (s *Server) viewByID(id string) (View, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v, ok := s.views[id]; ok {
		return *v, true
	}
	return View{}, false
}

func TestViewsOpen_LimitsAsSlackRefusesThem(t *testing.T) {
	fake := New(t)
	c := startClient(t, fake)
	fake.WaitForConnections(t, 1, wait)
	base := func() slack.ModalViewRequest {
		return slack.ModalViewRequest{Type: slack.VTModal, Title: plain("Form")}
	}
	tests := []struct {
		name   string
		modal  func() slack.ModalViewRequest
		wantIn string // in response_metadata.messages
	}{
		{"101 blocks", func() slack.ModalViewRequest { m := base(); m.Blocks = sections(101); return m }, "no more than 100 items"},
		{"private_metadata 3001", func() slack.ModalViewRequest { m := base(); m.PrivateMetadata = strings.Repeat("é", 3001); return m }, "private_metadata"},
		{"title 25", func() slack.ModalViewRequest { m := base(); m.Title = plain(strings.Repeat("x", 25)); return m }, "/view/title/text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake.SendSlashCommand(t.Context(), SlashCommand{UserID: "U1", ChannelID: "C1", Text: "create"})
			trig := c.next(t, socketmode.EventTypeSlashCommand).Data.(slack.SlashCommand).TriggerID
			_, err := c.api.OpenViewContext(t.Context(), trig, tt.modal())
			if slackErr(err) != "invalid_arguments" || !strings.Contains(metaOf(err), tt.wantIn) {
				t.Errorf("err = %v (%q), want invalid_arguments naming %q", err, metaOf(err), tt.wantIn)
			}
		})
	}
	fine := base()
	fine.Blocks, fine.PrivateMetadata = sections(100), strings.Repeat("é", 3000)
	fine.ExternalID = "renew-42"
	v := openForm(t, fake, c, "U1", fine)
	if v.ExternalID != "renew-42" || v.Type != "modal" || v.RootViewID != v.ID {
		t.Errorf("view = %+v", v)
	}
	fake.SendSlashCommand(t.Context(), SlashCommand{UserID: "U1", ChannelID: "C1", Text: "create"})
	trig := c.next(t, socketmode.EventTypeSlashCommand).Data.(slack.SlashCommand).TriggerID
	if _, err := c.api.OpenViewContext(t.Context(), trig, fine); slackErr(err) != "duplicate_external_id" {
		t.Errorf("second view with external_id renew-42: %v", err)
	}
	updated := base()
	updated.Title = plain("Renewed")
	if _, err := c.api.UpdateViewContext(t.Context(), updated, "renew-42", "", ""); err != nil {
		t.Fatalf("views.update by external_id: %v", err)
	}
	if got, _ := fake.viewByID(v.ID); got.Title != "Renewed" || got.Updates != 1 {
		t.Errorf("after update by external_id: %+v", got)
	}
	if _, err := c.api.UpdateViewContext(t.Context(), updated, "", "", "V0NOPE"); slackErr(err) != "not_found" {
		t.Errorf("update of an unknown view: %v", err)
	}
}

func TestViewsPublish_HomePerUser(t *testing.T) {
	fake := New(t)
	api := newAPI(fake, fake.BotToken())
	ctx := t.Context()
	home := slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: sections(3), PrivateMetadata: "v1"}

	first, err := api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: "U1", View: home})
	if err != nil {
		t.Fatal(err)
	}
	v, ok := fake.HomeView("U1")
	if !ok || v.ID != first.ID || v.Type != "home" || v.PrivateMetadata != "v1" || v.Updates != 0 {
		t.Fatalf("Home of U1 = %+v, %v", v, ok)
	}
	if _, ok := fake.HomeView("U2"); ok {
		t.Error("U2 has a Home view nobody published")
	}
	home.PrivateMetadata = "v2"
	stale := "stale"
	if _, err := api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: "U1", View: home, Hash: &stale}); slackErr(err) != "hash_conflict" {
		t.Errorf("stale hash: %v", err)
	}
	again, err := api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: "U1", View: home, Hash: &first.Hash})
	if err != nil || again.ID != first.ID {
		t.Fatalf("republish = %+v, %v; want the same view id", again, err)
	}
	if v := fake.WaitForHomeView(t, "U1", func(v View) bool { return v.PrivateMetadata == "v2" }, wait); v.Updates != 1 {
		t.Errorf("after republish: %+v", v)
	}

	home.Blocks = sections(101)
	if _, err := api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: "U1", View: home}); slackErr(err) != "invalid_arguments" {
		t.Errorf("101 blocks: %v", err)
	}
	modal := json.RawMessage(`{"type":"modal","title":{"type":"plain_text","text":"x"}}`)
	out := callAPI(t, fake, "views.publish", map[string][]string{"user_id": {"U1"}, "view": {string(modal)}})
	if out["error"] != "invalid_arguments" {
		t.Errorf("publishing a modal: %v", out)
	}
	if _, err := api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: "nobody", View: slack.HomeTabViewRequest{Type: slack.VTHomeTab}}); !strings.Contains(metaOf(err), "user_id") {
		t.Errorf("unknown user: %v (%q)", err, metaOf(err))
	}
}

// TestSubmitView_StateAndResponseActions submits a form through slack-go's
// client and checks each response_action does to the modal what Slack does.
func TestSubmitView_StateAndResponseActions(t *testing.T) {
	fake := New(t)
	c := startClient(t, fake)
	fake.WaitForConnections(t, 1, wait)
	values := map[string]map[string]string{"instance": {"instance": "shop-prod"}, "size": {"size": "m"}, "note": {"note_input": "before Friday"}}

	submit := func(v View, resp any) (slack.InteractionCallback, Ack) {
		t.Helper()
		id := fake.SubmitView(t.Context(), Submission{ViewID: v.ID, Values: values})
		ev := c.next(t, socketmode.EventTypeInteractive)
		if err := c.sm.Ack(*ev.Request, resp); err != nil {
			t.Fatal(err)
		}
		return ev.Data.(slack.InteractionCallback), fake.WaitForAck(t, id, wait)
	}

	v := openForm(t, fake, c, "U0DANA", renewForm())
	cb, ack := submit(v, slack.NewErrorsViewSubmissionResponse(map[string]string{"size": "pick a size"}))
	st := cb.View.State.Values
	if st["instance"]["instance"].SelectedOption.Value != "shop-prod" || st["size"]["size"].SelectedOption.Text.Text != "Medium (m)" ||
		st["note"]["note_input"].Value != "before Friday" || cb.View.PrivateMetadata != `{"channel":"C1"}` {
		t.Errorf("submitted state = %+v, metadata %q", st, cb.View.PrivateMetadata)
	}
	if r, err := ack.ViewResponse(); err != nil || r.Action != "errors" || r.Errors["size"] != "pick a size" || ack.Refused != "" {
		t.Errorf("errors ack = %+v %v, refused %q", r, err, ack.Refused)
	}
	if got, _ := fake.viewByID(v.ID); got.Closed {
		t.Error("an errors answer closed the modal")
	}

	_, ack = submit(v, slack.NewErrorsViewSubmissionResponse(map[string]string{"sise": "typo"}))
	if !strings.Contains(ack.Refused, "sise") {
		t.Errorf("errors naming no input block: refused %q", ack.Refused)
	}

	next := renewForm()
	next.Title = plain("Confirm")
	_, ack = submit(v, slack.NewUpdateViewSubmissionResponse(&next))
	if got, _ := fake.viewByID(v.ID); got.Title != "Confirm" || got.Closed || ack.Refused != "" {
		t.Errorf("after update: %+v, refused %q", got, ack.Refused)
	}
	_, ack = submit(v, slack.NewPushViewSubmissionResponse(&next))
	pushed := fake.Views()[len(fake.Views())-1]
	if pushed.PreviousViewID != v.ID || pushed.RootViewID != v.ID || pushed.UserID != "U0DANA" {
		t.Errorf("pushed view = %+v", pushed)
	}
	_, _ = submit(pushed, slack.NewClearViewSubmissionResponse())
	for _, w := range fake.Views() {
		if !w.Closed {
			t.Errorf("view %s open after clear", w.ID)
		}
	}

	other := openForm(t, fake, c, "U0DANA", renewForm())
	if _, ack := submit(other, nil); ack.Payload != nil {
		t.Errorf("plain ack carried %s", ack.Payload)
	}
	if got, _ := fake.viewByID(other.ID); !got.Closed {
		t.Error("a plain ack left the modal open")
	}
	rec := &recordingTB{TB: t}
	fake.t = rec
	if id := fake.SubmitView(t.Context(), Submission{ViewID: other.ID, Values: values}); id != "" || !rec.failed {
		t.Errorf("submitting a closed modal: id %q failed %v", id, rec.failed)
	}
	fresh := openForm(t, fake, c, "U0DANA", renewForm())
	rec.failed = false
	if id := fake.SubmitView(t.Context(), Submission{ViewID: fresh.ID, Values: map[string]map[string]string{"size": {"size": "xxl"}}}); id != "" || !rec.failed {
		t.Errorf("an option the select lacks: id %q failed %v", id, rec.failed)
	}
	fake.t = t
}

func TestCloseView_OnlyWithNotifyOnClose(t *testing.T) {
	fake := New(t)
	c := startClient(t, fake)
	fake.WaitForConnections(t, 1, wait)
	v := openForm(t, fake, c, "U1", renewForm())

	id := fake.CloseView(t.Context(), ViewClose{ViewID: v.ID, IsCleared: true})
	ev := c.next(t, socketmode.EventTypeInteractive)
	cb := ev.Data.(slack.InteractionCallback)
	if cb.Type != slack.InteractionTypeViewClosed || cb.View.ID != v.ID || !cb.IsCleared || cb.User.ID != "U1" || ev.Request.EnvelopeID != id {
		t.Errorf("view_closed = type %s view %s cleared %v user %s", cb.Type, cb.View.ID, cb.IsCleared, cb.User.ID)
	}
	if got, _ := fake.viewByID(v.ID); !got.Closed {
		t.Error("the modal is still open")
	}

	silent := renewForm()
	silent.NotifyOnClose = false
	w := openForm(t, fake, c, "U1", silent)
	rec := &recordingTB{TB: t}
	fake.t = rec
	if id := fake.CloseView(t.Context(), ViewClose{ViewID: w.ID}); id != "" || !rec.failed {
		t.Errorf("closing a view without notify_on_close: id %q failed %v", id, rec.failed)
	}
	fake.t = t
}
