package slacktest

import (
	"slices"
	"testing"
	"time"

	"github.com/slack-go/slack/socketmode"
)

// twoReplicas connects two real socket-mode clients, one after the other,
// so the first holds socket 1 and the second socket 2.
func twoReplicas(t *testing.T, fake *Server) (*testClient, *testClient) {
	t.Helper()
	a := startClient(t, fake)
	fake.WaitForConnections(t, 1, wait)
	b := startClient(t, fake)
	fake.WaitForConnections(t, 2, wait)
	if ids := fake.ConnectionIDs(); !slices.Equal(ids, []int{1, 2}) {
		t.Fatalf("sockets %v, want 1 and 2", ids)
	}
	return a, b
}

func TestConnections_SpreadAndChosen(t *testing.T) {
	fake := New(t)
	a, b := twoReplicas(t, fake)
	for range 4 {
		fake.SendSlashCommand(t.Context(), SlashCommand{UserID: "U1", ChannelID: "C1", Text: "list"})
	}
	perConn := map[int]int{}
	for _, d := range fake.Deliveries() {
		perConn[d.ConnID]++
	}
	if perConn[1] != 2 || perConn[2] != 2 {
		t.Errorf("deliveries per socket = %v, want 2 and 2", perConn)
	}
	for range 2 {
		a.next(t, socketmode.EventTypeSlashCommand)
		b.next(t, socketmode.EventTypeSlashCommand)
	}

	fake.DeliverTo(2)
	id := fake.SendSlashCommand(t.Context(), SlashCommand{UserID: "U1", ChannelID: "C1", Text: "info shop"})
	ev := b.next(t, socketmode.EventTypeSlashCommand)
	if ev.Request.EnvelopeID != id {
		t.Errorf("replica 2 got %s, want %s", ev.Request.EnvelopeID, id)
	}
	for _, d := range fake.WaitForDeliveries(t, id, 1, wait) {
		if d.ConnID != 2 {
			t.Errorf("delivery %+v went to socket %d while pinned to 2", d, d.ConnID)
		}
	}
	if got := a.drain(socketmode.EventTypeSlashCommand); len(got) != 0 {
		t.Errorf("replica 1 got %d envelopes while they were pinned to socket 2", len(got))
	}
	fake.DeliverTo(0)
}

// TestConnections_RedeliveryToTheOtherReplica is issue 17's case: an
// envelope acked on one socket is delivered again, same envelope_id, on
// the other; the fake records both acks, the second as a duplicate.
func TestConnections_RedeliveryToTheOtherReplica(t *testing.T) {
	fake := New(t)
	a, b := twoReplicas(t, fake)
	fake.DeliverTo(1)
	id := fake.SendSlashCommand(t.Context(), SlashCommand{UserID: "U1", ChannelID: "C1", Text: "renew shop"})
	first := a.next(t, socketmode.EventTypeSlashCommand)
	if err := a.sm.Ack(*first.Request); err != nil {
		t.Fatal(err)
	}
	fake.WaitForAck(t, id, wait)

	d := fake.Redeliver(id, 0, "")
	if d.ConnID != 2 || d.RetryAttempt != 1 || d.RetryReason != "timeout" {
		t.Errorf("redelivery = %+v, want socket 2, attempt 1, timeout", d)
	}
	again := b.next(t, socketmode.EventTypeSlashCommand)
	if again.Request.EnvelopeID != id || again.Request.RetryAttempt != 1 || again.Request.RetryReason != "timeout" {
		t.Errorf("replica 2 got %+v", again.Request)
	}
	if err := b.sm.Ack(*again.Request); err != nil {
		t.Fatal(err)
	}
	if !fake.waitUntil(wait, func() bool { return len(fake.Acks()) == 2 }) {
		t.Fatalf("acks = %+v, want 2", fake.Acks())
	}
	acks := fake.Acks()
	if acks[0].ConnID != 1 || acks[0].Duplicate || acks[1].ConnID != 2 || !acks[1].Duplicate {
		t.Errorf("acks = %+v, want socket 1 then a duplicate on socket 2", acks)
	}

	d = fake.Redeliver(id, 1, "too_many_websockets")
	if d.ConnID != 1 || d.RetryAttempt != 2 || d.RetryReason != "too_many_websockets" {
		t.Errorf("chosen redelivery = %+v", d)
	}
	rec := &recordingTB{TB: t}
	fake.t = rec
	if d := fake.Redeliver(id, 7, ""); d.EnvelopeID != "" || !rec.failed {
		t.Errorf("redelivery to a closed socket: %+v, failed %v", d, rec.failed)
	}
	fake.t = t
}

// TestConnections_KillOneReplica drops socket 1 only: socket 2 keeps
// receiving, and what socket 1 left unacked is redelivered to it.
func TestConnections_KillOneReplica(t *testing.T) {
	fake := New(t, WithAckTimeout(100*time.Millisecond))
	a, b := twoReplicas(t, fake)
	fake.DeliverTo(1)
	id := fake.SendSlashCommand(t.Context(), SlashCommand{UserID: "U1", ChannelID: "C1", Text: "restart shop"})
	a.next(t, socketmode.EventTypeSlashCommand) // received, never acked
	fake.DeliverTo(2)
	if !fake.DropConnection(1) {
		t.Fatal("socket 1 was not open")
	}
	if fake.DropConnection(1) {
		t.Error("socket 1 dropped twice")
	}
	if ids := fake.ConnectionIDs(); slices.Contains(ids, 1) || !slices.Contains(ids, 2) {
		t.Errorf("open sockets %v, want 2 without 1", ids)
	}
	ev := b.next(t, socketmode.EventTypeSlashCommand)
	if ev.Request.EnvelopeID != id || ev.Request.RetryAttempt != 1 {
		t.Errorf("replica 2 got %s attempt %d, want %s attempt 1", ev.Request.EnvelopeID, ev.Request.RetryAttempt, id)
	}
}

// TestConnections_TenPerApp opens sockets by hand: Slack allows ten per
// app and sends the eleventh a disconnect with too_many_websockets.
func TestConnections_TenPerApp(t *testing.T) {
	fake := New(t)
	dial := func() (string, map[string]any) {
		var first map[string]any
		if err := dialSocket(t, fake).ReadJSON(&first); err != nil {
			t.Fatal(err)
		}
		return first["type"].(string), first
	}
	for i := 1; i <= 10; i++ {
		if typ, msg := dial(); typ != "hello" || msg["num_connections"] != float64(i) {
			t.Fatalf("socket %d: first frame %v", i, msg)
		}
	}
	typ, msg := dial()
	if typ != "disconnect" || msg["reason"] != ReasonTooManySockets {
		t.Errorf("11th socket: %v, want disconnect too_many_websockets", msg)
	}
	if fake.ConnectionCount() != 10 || fake.RefusedConnections() != 1 {
		t.Errorf("%d open, %d refused; want 10 and 1", fake.ConnectionCount(), fake.RefusedConnections())
	}
}
