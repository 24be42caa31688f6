package bot

import (
	"context"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/paasbot/paasbot/telemetry"
)

// homeTimeout bounds building and publishing one person's Home: a
// Gandi call and the store, then views.publish.
const homeTimeout = 20 * time.Second

// onEventsAPI acknowledges an events_api envelope at once and, for
// app_home_opened on the Home tab, publishes that person's Home off the
// event loop. paasbot subscribes to no other event.
func (s *Slack) onEventsAPI(ctx, workCtx context.Context, ev socketmode.Event) {
	if ev.Request != nil {
		s.ack(ctx, ev.Request.EnvelopeID, nil, s.now())
	}
	api, ok := ev.Data.(slackevents.EventsAPIEvent)
	if !ok || api.Type != slackevents.CallbackEvent {
		return
	}
	var user, tab string
	switch e := api.InnerEvent.Data.(type) {
	case *slackevents.AppHomeOpenedEvent:
		user, tab = e.User, e.Tab
	case slackevents.AppHomeOpenedEvent:
		user, tab = e.User, e.Tab
	default:
		return
	}
	if user == "" || api.TeamID == "" || (tab != "" && tab != "home") {
		return // the Messages tab: nothing to publish
	}
	s.RefreshHome(workCtx, api.TeamID, user)
}

// RefreshHome publishes user's App Home (views.publish) from the core's
// Home, off the caller's goroutine: app_home_opened and every move of a
// request that concerns user (approvals.Config.OnChange) call it. It
// never blocks and may be called before Run (it then does nothing).
func (s *Slack) RefreshHome(ctx context.Context, team, user string) {
	if !s.running.Load() || team == "" || user == "" {
		return
	}
	s.side.Go(func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), homeTimeout)
		defer cancel()
		ctx = telemetry.WithRequestID(ctx, telemetry.NewRequestID())
		defer func() {
			if v := recover(); v != nil {
				s.logger.ErrorContext(ctx, "panic while publishing a Home", "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			}
		}()
		view, err := RenderHome(s.cfg.Core.Home(ctx, team, user))
		if err != nil {
			s.logger.ErrorContext(ctx, "cannot render a Home", "user", user, "error", err.Error())
			return
		}
		err = s.poster.do(ctx, "views.publish", func(ctx context.Context) error {
			_, err := s.api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: user, View: view})
			return err
		})
		if err != nil {
			s.poster.logFailure(ctx, "cannot publish a Home", err)
		}
	})
}
