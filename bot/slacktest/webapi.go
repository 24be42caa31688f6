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

type rateLimit struct {
	remaining  int
	retryAfter time.Duration
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
	if slackErr == "" {
		delete(s.failChannel, channel)
		return
	}
	s.failChannel[channel] = slackErr
}

// RateLimitNext makes the next n calls of method answer HTTP 429 with a
// Retry-After header of retryAfter, rounded up to whole seconds as Slack
// sends it (0 is allowed and means "retry now").
func (s *Server) RateLimitNext(method string, n int, retryAfter time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rateLimits[method] = &rateLimit{remaining: n, retryAfter: retryAfter}
}

// apiRequest is one decoded Web API request.
type apiRequest struct {
	method string
	form   url.Values      // form requests, token removed
	body   json.RawMessage // JSON requests
	auth   string
}

// apiResult is what a method handler answers: a payload merged with
// {"ok":true}, or a Slack error.
type apiResult struct {
	fields map[string]any
	err    string
}

func fail(e string) apiResult             { return apiResult{err: e} }
func okResult(f map[string]any) apiResult { return apiResult{fields: f} }

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
	var res apiResult
	var retryAfter time.Duration
	limited := false
	switch {
	case token != want:
		res = fail(ErrInvalidAuth)
	case s.rateLimits[method] != nil && s.rateLimits[method].remaining > 0:
		rl := s.rateLimits[method]
		rl.remaining--
		limited, retryAfter = true, rl.retryAfter
		res = fail(errRateLimited)
		call.Status = http.StatusTooManyRequests
	case len(s.failNext[method]) > 0:
		res = fail(s.failNext[method][0])
		s.failNext[method] = s.failNext[method][1:]
	default:
		res = s.dispatchLocked(req, r)
	}
	call.Error = res.err
	s.calls = append(s.calls, call)
	s.notifyLocked()
	s.mu.Unlock()

	if limited {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(retryAfter.Seconds()))))
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

// dispatchLocked runs one method. Callers hold s.mu.
func (s *Server) dispatchLocked(req apiRequest, r *http.Request) apiResult {
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
	case "views.open":
		return s.openViewLocked(req)
	case "views.update":
		return s.updateViewLocked(req)
	case "conversations.info":
		ch := req.form.Get("channel")
		if ch == "" {
			return fail(ErrChannelNotFound)
		}
		if e := s.failChannel[ch]; e != "" {
			return fail(e)
		}
		return okResult(map[string]any{"channel": map[string]any{
			"id": ch, "name": strings.ToLower(ch), "is_channel": true, "is_member": true,
		}})
	case "users.info":
		u := req.form.Get("user")
		if u == "" {
			return fail("user_not_found")
		}
		return okResult(map[string]any{"user": map[string]any{
			"id": u, "team_id": s.cfg.teamID, "name": strings.ToLower(u), "real_name": "User " + u,
			"tz": "Europe/Paris", "profile": map[string]any{"display_name": strings.ToLower(u), "real_name": "User " + u},
		}})
	}
	return fail("unknown_method")
}
