package bot

import (
	"os"
	"strings"
	"testing"
)

// manifestValue reads the scalar at path in a block-style YAML file (maps
// of "key: value" lines, two-space indents, # comments), which is all the
// Slack app manifest uses; it reports false when the path is absent.
func manifestValue(yaml string, path ...string) (string, bool) {
	parent, child, depth := -1, -1, 0 // indents of the open block and its keys
	for _, line := range strings.Split(yaml, "\n") {
		trimmed := strings.TrimLeft(line, " ")
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		in := len(line) - len(trimmed)
		if in <= parent { // left the block of path[depth-1]
			return "", false
		}
		if child < 0 {
			child = in
		}
		key, val, ok := strings.Cut(trimmed, ":")
		if in != child || !ok || key != path[depth] {
			continue
		}
		if depth == len(path)-1 {
			val, _, _ = strings.Cut(val, " #")
			return strings.TrimSpace(val), true
		}
		parent, child, depth = in, -1, depth+1
	}
	return "", false
}

// TestManifest_MessagesTabForPrivateFallback: paasbot's DMs (and
// PostPrivate's last resort) show in the app's Messages tab; the manifest
// must enable it (read-only: paasbot reads no messages), and must ask for
// exactly the bot scopes paasbot uses.
func TestManifest_MessagesTabForPrivateFallback(t *testing.T) {
	raw, err := os.ReadFile("../deploy/slack-app-manifest.yaml")
	if err != nil {
		t.Fatal(err)
	}
	manifest := string(raw)
	for _, tc := range []struct {
		path []string
		want string
	}{
		{[]string{"features", "app_home", "messages_tab_enabled"}, "true"},
		{[]string{"features", "app_home", "messages_tab_read_only_enabled"}, "true"},
		// DESIGN §9: the Home tab, and app_home_opened as the only event.
		{[]string{"features", "app_home", "home_tab_enabled"}, "true"},
		{[]string{"settings", "event_subscriptions", "bot_events"}, "[app_home_opened]"},
		{[]string{"settings", "socket_mode_enabled"}, "true"},
		{[]string{"settings", "interactivity", "is_enabled"}, "true"},
	} {
		if got, ok := manifestValue(manifest, tc.path...); !ok || got != tc.want {
			t.Errorf("%s = %q (present %v), want %s", strings.Join(tc.path, "."), got, ok, tc.want)
		}
	}
	if _, ok := manifestValue(manifest, "features", "messages_tab_enabled"); ok {
		t.Error("messages_tab_enabled sits directly under features, where Slack ignores it")
	}
	var scopes []string
	for _, line := range strings.Split(manifest, "\n") {
		if strings.HasPrefix(line, "      - ") {
			scopes = append(scopes, strings.TrimPrefix(line, "      - "))
		}
	}
	// DESIGN §9: a DM is conversations.open (im:write); user groups of
	// PAASBOT_APPROVERS are read with usergroups.users.list; run --check
	// reads the configured channels (conversations.info).
	want := []string{"commands", "chat:write", "im:write", "usergroups:read", "channels:read", "groups:read"}
	if strings.Join(scopes, ",") != strings.Join(want, ",") {
		t.Errorf("bot scopes = %v, want %v", scopes, want)
	}
}

func TestManifestValue(t *testing.T) {
	const y = "a:\n  b: 1 # one\n  c:\n    d: x\ne:\n  d: y\n"
	for _, tc := range []struct {
		path   []string
		want   string
		wantOK bool
	}{
		{[]string{"a", "b"}, "1", true},
		{[]string{"a", "c", "d"}, "x", true},
		{[]string{"e", "d"}, "y", true},
		{[]string{"a", "d"}, "", false},
		{[]string{"e", "b"}, "", false},
	} {
		if got, ok := manifestValue(y, tc.path...); got != tc.want || ok != tc.wantOK {
			t.Errorf("%v = %q, %v; want %q, %v", tc.path, got, ok, tc.want, tc.wantOK)
		}
	}
}
