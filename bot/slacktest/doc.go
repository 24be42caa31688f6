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
// # Socket mode
//
//   - apps.connections.open (app-level token as Authorization: Bearer) answers
//     the ws:// URL of its own socket-mode endpoint with a one-use ticket.
//   - Each socket gets "hello" (with num_connections) and a WebSocket ping
//     every PingInterval (default 500 ms: the client's
//     socketmode.OptionPingInterval, 30 s by default, must stay above it or
//     slack-go reconnects). Up to 10 sockets at once, as Slack allows; the
//     eleventh gets a "disconnect" with reason too_many_websockets.
//   - Envelopes: slash_commands, interactive (block_actions,
//     view_submission, view_closed, block_suggestion) and events_api
//     (app_home_opened), shaped like Slack's. Each goes to one socket: round
//     robin, or the one DeliverTo names (ConnectionIDs lists them; socket n
//     is the n-th to connect). An envelope not acked within AckTimeout
//     (default 3 s) is delivered again with retry_attempt+1 and retry_reason
//     "timeout", up to MaxRetries times (default 3); Redeliver sends one
//     again at will, acked or not, to a chosen or another socket, as a
//     replica test needs. Envelopes sent while no socket is open wait.
//   - Acks are recorded with their socket, latency and payload, duplicates
//     marked. A view_submission ack is applied (response_action errors
//     keeps the modal, update replaces it, push stacks one, clear closes the
//     stack, none closes it); a block_suggestion ack's options are read by
//     WaitForOptions. Ack.Refused says when Slack would reject the payload
//     (errors naming no input block; over 100 options; option text over 75
//     or value over 150 characters).
//   - Disconnect sends a "disconnect" message to every socket (slack-go
//     reconnects); DropConnections cuts them all, DropConnection one.
//
// # Conversations and people
//
// Declare what a test needs: AddConversation (public and private channels
// with members, the bot a member or not; IMs; group DMs), AddUser (active,
// Deactivated, Bot), AddUserGroup, IMWith (the bot's IM with a person, the
// id conversations.open answers). Undeclared C… ids are public channels the
// bot is in with unknown members, and undeclared U…/W… ids active people,
// so tests written before the model keep working.
//
//   - conversations.open(users=U…) answers the same D… id per person
//     (already_open the second time); user_not_found, user_disabled
//     (Deactivated) and cannot_dm_bot (Bot, or the bot itself), or any error
//     FailDM sets for a person. Several users open a group DM with the bot.
//   - conversations.info answers is_channel, is_private, is_im, is_mpim,
//     is_member (and user for an IM); channel_not_found for a private
//     conversation the bot is not in, and for an undeclared D…/G… id.
//   - usergroups.users.list(usergroup=S…) answers the members;
//     no_such_subteam for an undeclared group. RevokeScope("usergroups:read")
//     makes it answer missing_scope with needed and provided (any modelled
//     method's scope can be revoked: chat:write, im:write, channels:read,
//     users:read).
//   - users.info answers declared users (deleted, is_bot) and any U… id.
//   - A slash command or click carries Slack's channel_name for its channel:
//     the channel's name, "directmessage" in an IM, "mpdm-…" in a group DM.
//
// # Messages, and who could see them
//
//   - chat.postMessage: not_in_channel in a public channel without the bot,
//     channel_not_found in a private channel or group DM without it, in two
//     people's DM and for an unopened D… id; a user id (U…) posts to the
//     app's Messages tab and is recorded under that id. thread_ts must name
//     a message of the bot in that channel (else invalid_thread_ts; a
//     reply's ts files under its parent); reply_broadcast shows a reply in
//     the channel too. chat.postEphemeral needs the person in the channel
//     (user_not_in_channel). chat.update and chat.delete work on posted
//     messages, not ephemeral ones (message_not_found).
//     chat.getPermalink(channel, message_ts) answers Slack's link shape
//     (with thread_ts and cid for a reply); Permalink gives the same to
//     tests.
//   - Every message records Visibility (channel, ephemeral, dm, group_dm),
//     SeenBy (the members when posted), Everyone (undeclared channel:
//     counted visible to all), ThreadTS and Broadcast. Find(MessageFilter),
//     VisibleTo(user), Thread(channel, ts) and DMs(user) answer "who saw
//     what" without matching wording; they include response_url replies
//     only the person who typed or clicked saw (Messages does not).
//   - Every slash command and click has its own response_url, usable 5
//     times within 30 minutes; replace_original and delete_original apply to
//     the message the button was on; in_channel replies are messages of the
//     channel, even where the bot is not a member.
//
// # Views
//
//   - views.open needs a trigger_id from a command, click or submission,
//     once and within 3 s (expired_trigger_id; invalid_trigger_id for an
//     unknown one); duplicate_external_id. views.update by view_id or
//     external_id (not_found), with an optional hash (hash_conflict).
//     views.publish(user_id, view{type: home}, hash) records each person's
//     Home tab (HomeView, WaitForHomeView). Limits refused as Slack does,
//     invalid_arguments with a response_metadata message: 100 blocks (modal
//     or Home), modal title 24, private_metadata 3000, callback_id and
//     external_id 255 characters.
//   - SubmitView sends the view as last set with private_metadata and state
//     values typed after each element (value, selected_option for selects,
//     selected_date); CloseView sends view_closed, which Slack does only for
//     a notify_on_close view. OpenAppHome sends app_home_opened (with the
//     Home view once published); Suggest sends block_suggestion for an
//     external_select of a view.
//
// # Web API rules and faults
//
// The bot token is accepted as the form field "token" or as Authorization:
// Bearer; any other token gets invalid_auth. FailNext, FailChannel and
// RateLimitNext inject Slack's errors and 429s (Retry-After in whole
// seconds). PaceChannels(SlackPace()) paces chat.postMessage per channel
// the way Slack does (about one a second, short bursts) and answers 429
// with Retry-After beyond it. Every call is recorded with its time (the
// WithClock clock) and sequence number, tokens never, so tests assert
// spacing by counts (BusiestWindow, AcceptedPosts) and order, not wall
// clock, and may assert that no secret reached Slack.
//
// # Not modelled
//
// Workspace-wide rate tiers beyond RateLimitNext; archived channels;
// conversations.history/replies/members; joining or leaving channels;
// chat.postMessage's answer naming the IM id for a post to a user id (it
// answers the user id); views.push as a method; Home tab not enabled; the
// Events API over HTTP, request signing, and events other than
// app_home_opened; Enterprise Grid; message text formatting.
//
// The Wait* helpers poll nothing and sleep never: they block on a change
// notification until the condition holds or the timeout elapses (then they
// fail the test). The server listens on 127.0.0.1 and is closed by
// t.Cleanup; stop the socketmode client (cancel its context) before the
// test returns, which t.Cleanup ordering does when the cancel is
// registered after New.
package slacktest
