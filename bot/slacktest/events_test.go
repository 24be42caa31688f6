package slacktest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

func TestOpenAppHome_EventsAPIEnvelope(t *testing.T) {
	fake := New(t)
	c := startClient(t, fake)
	fake.WaitForConnections(t, 1, wait)

	home := func() (slackevents.AppHomeOpenedEvent, *socketmode.Request) {
		t.Helper()
		ev := c.next(t, socketmode.EventTypeEventsAPI)
		outer := ev.Data.(slackevents.EventsAPIEvent)
		if outer.Type != slackevents.CallbackEvent || outer.TeamID != fake.TeamID() {
			t.Errorf("outer event = %s team %s", outer.Type, outer.TeamID)
		}
		inner, ok := outer.InnerEvent.Data.(*slackevents.AppHomeOpenedEvent)
		if !ok {
			t.Fatalf("inner event is %T", outer.InnerEvent.Data)
		}
		return *inner, ev.Request
	}

	id := fake.OpenAppHome(t.Context(), AppHomeOpened{UserID: "U0DANA"})
	first, req := home()
	if first.User != "U0DANA" || first.Tab != "home" || first.Channel != fake.IMWith("U0DANA") || first.View != nil {
		t.Errorf("first app_home_opened = %+v, want Dana's home tab in her IM with no view yet", first)
	}
	if req.EnvelopeID != id || req.AcceptsResponsePayload || req.Type != "events_api" {
		t.Errorf("request = %+v, want events_api without a response payload", req)
	}
	if err := c.sm.Ack(*req); err != nil {
		t.Fatal(err)
	}
	if a := fake.WaitForAck(t, id, wait); !a.Known || a.Payload != nil {
		t.Errorf("ack = %+v", a)
	}

	published, err := c.api.PublishViewContext(t.Context(), slack.PublishViewContextRequest{UserID: "U0DANA",
		View: slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: sections(2)}})
	if err != nil {
		t.Fatal(err)
	}
	fake.OpenAppHome(t.Context(), AppHomeOpened{UserID: "U0DANA"})
	second, _ := home()
	if second.View == nil || second.View.ID != published.ID || second.View.Type != slack.VTHomeTab {
		t.Errorf("second app_home_opened carries view %+v, want the published Home", second.View)
	}
	fake.OpenAppHome(t.Context(), AppHomeOpened{UserID: "U0DANA", Tab: "messages"})
	if msgs, _ := home(); msgs.Tab != "messages" || msgs.View != nil {
		t.Errorf("messages tab event = %+v", msgs)
	}
}

func TestSuggest_OptionsComeBackInTheAck(t *testing.T) {
	fake := New(t)
	c := startClient(t, fake)
	fake.WaitForConnections(t, 1, wait)
	v := openForm(t, fake, c, "U0DANA", renewForm())

	options := func(n int, text string) slack.OptionsResponse {
		var out slack.OptionsResponse
		for i := range n {
			out.Options = append(out.Options, slack.NewOptionBlockObject(fmt.Sprintf("shop-%d", i), plain(text), nil))
		}
		return out
	}
	tests := []struct {
		name        string
		answer      slack.OptionsResponse
		wantRefused string
	}{
		{"three", options(3, "shop"), ""},
		{"one hundred", options(100, "shop"), ""},
		{"one hundred and one", options(101, "shop"), "101 options"},
		{"a 76-character text", options(1, strings.Repeat("x", 76)), "over 75"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := fake.Suggest(t.Context(), Suggestion{ViewID: v.ID, BlockID: "instance", ActionID: "instance", Value: "sho"})
			ev := c.next(t, socketmode.EventTypeInteractive)
			cb := ev.Data.(slack.InteractionCallback)
			if cb.Type != slack.InteractionTypeBlockSuggestion || cb.Value != "sho" || cb.ActionID != "instance" ||
				cb.BlockID != "instance" || cb.View.ID != v.ID || cb.User.ID != "U0DANA" || cb.Container.ViewID != v.ID {
				t.Errorf("block_suggestion = type %s value %q action %s block %s view %s user %s", cb.Type, cb.Value, cb.ActionID, cb.BlockID, cb.View.ID, cb.User.ID)
			}
			if err := c.sm.Ack(*ev.Request, tt.answer); err != nil {
				t.Fatal(err)
			}
			got := fake.WaitForOptions(t, id, wait)
			if len(got.Options) != len(tt.answer.Options) || got.Options[0].Value != "shop-0" || got.Latency <= 0 {
				t.Errorf("options = %d (first %+v), latency %v", len(got.Options), got.Options[0], got.Latency)
			}
			if (tt.wantRefused == "") != (got.Refused == "") || !strings.Contains(got.Refused, tt.wantRefused) {
				t.Errorf("refused = %q, want %q", got.Refused, tt.wantRefused)
			}
		})
	}

	rec := &recordingTB{TB: t}
	fake.t = rec
	if id := fake.Suggest(t.Context(), Suggestion{ViewID: v.ID, BlockID: "size", ActionID: "size", Value: "m"}); id != "" || !rec.failed {
		t.Errorf("suggesting on a static_select: id %q failed %v", id, rec.failed)
	}
	fake.t = t
}
