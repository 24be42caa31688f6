// Package slacktest is a fake Slack for end-to-end tests of paasbot's Slack
// adapter. It is driven by slack-go's real clients, so a test exercises the
// same code paths as production:
//
//	fake := slacktest.New(t)
//	api := slack.New(fake.BotToken(),
//		slack.OptionAPIURL(fake.APIURL()),
//		slack.OptionAppLevelToken(fake.AppToken()))
//	client := socketmode.New(api)
//	go client.RunContext(ctx) // and drain client.Events
//	fake.WaitForConnections(t, 1, 5*time.Second)
//	id := fake.SendSlashCommand(ctx, slacktest.SlashCommand{UserID: "U1", ChannelID: "C1", Text: "list"})
//	ack := fake.WaitForAck(t, id, 5*time.Second)
//
// What it speaks, and the rules of Slack it enforces:
//
//   - apps.connections.open (app-level token as Authorization: Bearer) answers
//     the ws:// URL of its own socket-mode endpoint with a one-use ticket.
//   - The socket: "hello" on connect; WebSocket pings every PingInterval
//     (default 500 ms: the client's socketmode.OptionPingInterval, 30 s by
//     default, must stay above it or slack-go reconnects); envelopes of type
//     slash_commands and interactive (block_actions, view_submission) shaped
//     like Slack's, each delivered to one connected socket; acks recorded with
//     their latency and payload; an envelope not acked within AckTimeout
//     (default 3 s, Slack's rule) is delivered again with retry_attempt+1 and
//     retry_reason "timeout", up to MaxRetries times (default 3). Envelopes
//     sent while no socket is connected wait for the next connection.
//     Disconnect sends a "disconnect" message (slack-go then reconnects by
//     itself); DropConnections closes every socket abruptly.
//   - Web API: auth.test, chat.postMessage, chat.postEphemeral, chat.update,
//     chat.delete, views.open, views.update, conversations.info, users.info.
//     The bot token is accepted as the form field "token" or as
//     Authorization: Bearer; any other token gets {ok:false,error:"invalid_auth"}.
//     FailNext, FailChannel and RateLimitNext inject Slack's errors and 429s
//     (Retry-After is whole seconds, as Slack sends it).
//   - A trigger_id works once and within TriggerTTL (default 3 s); views.open
//     otherwise answers expired_trigger_id.
//   - Every slash command and button click carries its own response_url,
//     usable 5 times within 30 minutes; posts are recorded with response_type,
//     replace_original and delete_original, and replace/delete apply to the
//     recorded message the button was on.
//
// Everything is recorded. The Wait* helpers poll nothing and sleep never:
// they block on a change notification until the condition holds or the
// timeout elapses (then they fail the test). Tokens are never recorded in
// calls, so a test may assert that no secret reached Slack.
//
// The server listens on 127.0.0.1 and is closed by t.Cleanup; stop the
// socketmode client (cancel its context) before the test returns, which
// t.Cleanup ordering does when the cancel is registered after New.
package slacktest
