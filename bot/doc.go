// Package bot holds paasbot's transports: the Slack socket-mode adapter and
// the terminal (shell) adapter. They turn what people type and click into
// neutral requests for package commands, and render its neutral replies
// (package reply) for their platform. They also deliver what the
// approvals engine, the core and the alerts scheduler post outside a reply
// (SlackPoster and Shell implement their notifiers). A transport reaches
// Gandi and the store only through the core: it imports neither.
//
// Slack rendering lives in the blockkit*.go files: RenderBlocks turns a
// reply.Message into one or more SlackMessage values within every Block Kit
// limit (splitting, never cutting data), RenderLoginModal builds the modal
// that collects an API key, and FormValue/FormError read and answer its
// submission. The fake Slack used by the end-to-end tests is the
// bot/slacktest package.
package bot
