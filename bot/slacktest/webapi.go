package slacktest

import (
	"encoding/json"
	"io"
	"math"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Slack error strings a test may inject or expect.
const (
	ErrInvalidAuth      = "invalid_auth"
	ErrNotInChannel     = "not_in_channel"
	ErrChannelNotFound  = "channel_not_found"
	ErrExpiredTriggerID = "expired_trigger_id"
	ErrMessageNotFound  = "message_not_found"
	errRateLimited      = "ratelimited"
)

// scopeOf is the bot scope a modelled method needs ("" for none);
// RevokeScope makes those methods answer missing_scope.
func scopeOf(method string) string {
	switch method {
	case "chat.postMessage", "chat.postEphemeral", "chat.update", "chat.delete":
		return "chat:write"
	case "conversations.info":
		return "channels:read"
	case "conversations.open":
		return "im:write"
	case "users.info":
		return "users:read"
	case "usergroups.users.list":
		return "usergroups:read"
	}
	return ""
}

// grantedScopes are the scopes the fake's bot token starts with.
func grantedScopes() []string {
	return []string{"channels:read", "chat:write", "commands", "im:write", "usergroups:read", "users:read"}
}

// RevokeScope removes a bot scope (usergroups:read, im:write, ...): every
// method needing it answers {ok:false,error:missing_scope,needed,provided},
// as Slack does for a token installed without it.
func (s *Server) RevokeScope(scope string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.revoked[scope] = true
}

// GrantScope gives back a scope RevokeScope removed.
func (s *Server) GrantScope(scope string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.revoked, scope)
}

func (s *Server) providedScopesLocked() string {
	var out []string
	for _, sc := range grantedScopes() {
		if !s.revoked[sc] {
			out = append(out, sc)
		}
	}
	return strings.Join(out, ",")
}

// FailNext makes the next call of method answer {ok:false,error:slackErr}
// (after the token check). Calls queue: FailNext twice fails two calls.
func (s *Server) FailNext(method, slackErr string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failNext[method] = append(s.failNext[method], slackErr)
}

// FailChannel makes every chat.* and conversations.info call naming channel
// answer {ok:false,error:slackErr} (not_in_channel, channel_not_found, ...)
// until FailChannel(channel, "") clears it.
func (s *Server) FailChannel(channel, slackErr string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	setOrClear(s.failChannel, channel, slackErr)
}

// setOrClear sets m[k] to v, or deletes k when v is empty.
func setOrClear(m map[string]string, k, v string) {
	if v == "" {
		delete(m, k)
		return
	}
	m[k] = v
}

// apiRequest is one decoded Web API request.
type apiRequest struct {
	method string
	form   url.Values      // form requests, token removed
	body   json.RawMessage // JSON requests
	auth   string
}

// apiResult is what a method handler answers: a payload merged with
// {"ok":true}, or a Slack error (with optional extra fields: needed,
// response_metadata, ...).
type apiResult struct {
	fields map[string]any
	err    string
}

func fail(e string) apiResult             { return apiResult{err: e} }
func okResult(f map[string]any) apiResult { return apiResult{fields: f} }

// failWhy is a Slack error with response_metadata.messages, as Slack
// explains invalid_arguments.
func failWhy(e string, messages ...string) apiResult {
	return apiResult{err: e, fields: map[string]any{"response_metadata": map[string]any{"messages": messages}}}
}

const maxBody = 4 << 20

func (s *Server) handleAPI(w http.ResponseWriter, r *http.Request) {
	method := strings.TrimPrefix(r.URL.Path, "/api/")
	req := apiRequest{method: method, auth: "none"}
	token := ""
	if h := r.Header.Get("Authorization"); strings.HasPrefix(h, "Bearer ") {
		token, req.auth = strings.TrimPrefix(h, "Bearer "), "bearer"
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err != nil {
		http.Error(w, "read error", http.StatusBadRequest)
		return
	}
	ctype, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ctype == "application/json" {
		req.body = body
	} else {
		form, _ := url.ParseQuery(string(body))
		for k, v := range r.URL.Query() {
			form[k] = append(form[k], v...)
		}
		if tok := form.Get("token"); tok != "" && req.auth == "none" {
			token, req.auth = tok, "form"
		}
		form.Del("token")
		req.form = form
	}

	call := Call{Method: method, Params: req.form, Body: req.body, Auth: req.auth, Status: http.StatusOK}
	want := s.cfg.botToken
	if method == "apps.connections.open" {
		want = s.cfg.appToken
	}

	s.mu.Lock()
	call.At = s.cfg.now()
	s.seq++
	call.Seq = s.seq
	var res apiResult
	var retryAfter time.Duration
	limited := false
	scope := scopeOf(method)
	switch {
	case token != want:
		res = fail(ErrInvalidAuth)
	case scope != "" && s.revoked[scope]:
		res = apiResult{err: ErrMissingScope, fields: map[string]any{"needed": scope, "provided": s.providedScopesLocked()}}
	case s.rateLimits[method] != nil && s.rateLimits[method].remaining > 0:
		rl := s.rateLimits[method]
		rl.remaining--
		limited, retryAfter = true, rl.retryAfter
	case method == "chat.postMessage" && !s.paceAllowLocked(req.form.Get("channel"), call.At, &retryAfter):
		limited = true
	case len(s.failNext[method]) > 0:
		res = fail(s.failNext[method][0])
		s.failNext[method] = s.failNext[method][1:]
	default:
		res = s.dispatchLocked(req)
	}
	if limited {
		res = fail(errRateLimited)
		call.Status = http.StatusTooManyRequests
		call.RetryAfter = retryAfter
	}
	call.Error = res.err
	s.calls = append(s.calls, call)
	s.notifyLocked()
	s.mu.Unlock()

	if limited {
		w.Header().Set("Retry-After", strconv.Itoa(retryAfterSeconds(retryAfter)))
		writeJSON(w, http.StatusTooManyRequests, map[string]any{"ok": false, "error": errRateLimited})
		return
	}
	out := map[string]any{"ok": res.err == ""}
	if res.err != "" {
		out["error"] = res.err
	}
	for k, v := range res.fields {
		out[k] = v
	}
	writeJSON(w, http.StatusOK, out)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// retryAfterSeconds rounds d up to whole seconds, as Slack sends
// Retry-After.
func retryAfterSeconds(d time.Duration) int { return int(math.Ceil(d.Seconds())) }

// dispatchLocked runs one method. Callers hold s.mu.
func (s *Server) dispatchLocked(req apiRequest) apiResult {
	switch req.method {
	case "apps.connections.open":
		ticket := s.nextIDLocked("ticket-")
		s.tickets[ticket] = true
		return okResult(map[string]any{"url": wsURL(s.srv.URL) + "/link/?ticket=" + ticket})
	case "auth.test":
		return okResult(map[string]any{
			"url":     "https://" + s.cfg.teamDomain + ".slack.test/",
			"team":    "paasbot test",
			"user":    "paasbot",
			"team_id": s.cfg.teamID,
			"user_id": s.cfg.botUserID,
			"bot_id":  s.cfg.botID,
		})
	case "chat.postMessage", "chat.postEphemeral":
		return s.postMessageLocked(req)
	case "chat.update":
		return s.updateMessageLocked(req)
	case "chat.delete":
		return s.deleteMessageLocked(req)
	case "chat.getPermalink":
		return s.permalinkLocked(req)
	case "views.open":
		return s.openViewLocked(req)
	case "views.update":
		return s.updateViewLocked(req)
	case "views.publish":
		return s.publishViewLocked(req)
	case "conversations.info":
		return s.conversationsInfoLocked(req)
	case "conversations.open":
		return s.conversationsOpenLocked(req)
	case "users.info":
		return s.usersInfoLocked(req)
	case "usergroups.users.list":
		return s.userGroupMembersLocked(req)
	}
	return fail("unknown_method")
}
