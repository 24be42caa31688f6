// Package bot holds paasbot's transports: the Slack socket-mode adapter and
// the terminal (shell) adapter. They turn what people type and click into
// neutral requests for package commands, and render its neutral replies
// (package reply) for their platform. They also deliver what the
// approvals engine, the core and the alerts scheduler post outside a reply
// (SlackPoster and Shell implement their notifiers). A transport reaches
// Gandi and the store only through the core: it imports neither.
//
// The socket-mode adapter (slack*.go) acknowledges every envelope on its
// event loop, which never waits: a copy of an envelope this process
// already took is dropped there (recentIDs), before anything is answered;
// slash commands and clicks go to a fairQueue (QueueSize deep, one lane
// per person, PerUser of a person's running at once, round robin over the
// people) from which dispatch runs them, Workers at a time. The store's
// SeenOnce then decides, across replicas, whether an envelope runs. A
// full queue's refusal goes to the noticeBox, which asks the store the
// same question, then always delivers it, saying when to retry. A wait
// for Slack (a channel's pace, a Retry-After) made while serving a
// command frees its worker slot first (workerSlot, yieldWorker).
//
// SlackPoster sends everything: answers to a person go through the
// interaction's response_url (not counted in the channel's pace), in
// order, then the Web API once its five uses are spent; chat.postMessage
// is paced per channel (channelPacer: a burst of ChannelPostBurst, then
// one every ChannelPostEvery, a 429's Retry-After holding the whole
// channel); PostThread and Reply answer in a message's thread (Reply
// may broadcast to the channel too). A slash command still running after
// PlaceholderAfter shows "Asking Gandi…" (placeholder), which its answer
// replaces (replace_original) or deletes.
//
// For the approvals engine SlackPoster also sends DMs (slack_dm.go: DM is
// conversations.open for that one person, then chat.postMessage to the IM
// it returns, never a post to the user id; PostPrivate's last resort is
// the same), links messages (chat.getPermalink) and lists the members of
// user groups (usergroups.users.list). A click on a Deny button opens the
// Deny form (slack_deny.go, views.open with the click's trigger_id); its
// submission denies the request with the optional reason, everything it
// needs carried in the modal's private_metadata. Whether a command came
// from a DM is read from Slack's channel_name (isDirect), which needs no
// read scope.
//
// Slack rendering lives in the blockkit*.go files: RenderBlocks turns a
// reply.Message into one or more SlackMessage values within every Block Kit
// limit (splitting, never cutting data) and in a layout that reads on a
// phone (DESIGN §9): a table is aligned code only when it fits MaxPreLine
// (72) characters and names nobody, else one mrkdwn line per row; code
// lines are wrapped at 72; every button gets its own action_id (ActionOf
// reads the Action back), related buttons share one row, and a row's own
// button (reply.Message.RowButtons) is its section's accessory.
// RenderLoginModal builds the modal that collects an API key
// (FormValue/FormError read and answer it); RenderFormModal builds a
// command's form (selects, checkboxes, an external_select instance
// picker), FormValues reads its submission and FieldErrorsResponse shows
// refusals under the fields; SuggestionOptions answers a picker's
// block_suggestion. A command form's submission is checked by the core in
// the ack and then queued as the typed line it stands for (slack_forms.go).
// RenderHome lays out the App Home, published on app_home_opened and by
// RefreshHome when a request moves (slack_home.go). Testdata holds a golden
// file of every view, and a test over all of them checks the 72-character
// and unique action_id rules. The fake Slack used by the end-to-end tests
// is the bot/slacktest package.
//
// The terminal adapter (Shell) renders the same replies as plain text
// (RenderPlain: no mrkdwn markers) and follows a posted message's later
// states as one line per change (an operation's step). On a terminal its
// LineEditor reads keys in raw mode: Ctrl-C clears the line or stops the
// command running, a second Ctrl-C or Ctrl-D leaves, and output arriving
// meanwhile is printed above the line being typed. Piped, it reads lines
// and never reads a key from the next one.
package bot
