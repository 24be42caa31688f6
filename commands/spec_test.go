package commands

import (
	"context"
	"strings"
	"testing"

	"github.com/paasbot/paasbot/reply"
)

func testSpec() *CommandSpec {
	return &CommandSpec{
		Name: "alerts add",
		Args: []Param{{Name: "kind", Kind: KindEnum, Enum: []string{"expiry", "upgrade"}, Required: true}, {Name: "channel", Kind: KindString}},
		Keys: []Param{
			{Name: "days", Kind: KindDays}, {Name: "quiet", Kind: KindBool, Switch: true},
			{Name: "ids", Kind: KindInts}, {Name: "when", Kind: KindDate}, {Name: "duration", Kind: KindDuration},
		},
		Run: func(context.Context, *Core, *Call) (reply.Message, error) { return reply.Message{}, nil },
	}
}

func TestBind(t *testing.T) {
	spec := testSpec()
	line, err := Parse("expiry <#C123|ops> days=2w quiet ids=1,2 when=2026-12-31 duration=1y")
	if err != nil {
		t.Fatal(err)
	}
	call, err := bind(spec, line, line.Args)
	if err != nil {
		t.Fatal(err)
	}
	if call.Arg(0) != "expiry" || call.Arg(1) != "ops" || call.ArgLink(1) != "#C123" {
		t.Errorf("args %q %q link %q", call.Arg(0), call.Arg(1), call.ArgLink(1))
	}
	if call.Days("days") != 14 || !call.Bool("quiet") || len(call.Ints("ids")) != 2 || call.String("when") != "2026-12-31" || call.String("duration") != "12m" {
		t.Errorf("values %+v", call.values)
	}
}

func TestBind_Errors(t *testing.T) {
	tests := []struct{ text, want string }{
		{"", "needs <kind>"},
		{"daily", `"daily" is not a valid kind`},
		{"expiry a b", `does not take "b"`},
		{"expiry days=1 days=2", "given twice"},
		{"expiry dayz=1", "Did you mean `days`?"},
		{"expiry quiet=maybe", "on or off"},
		{"expiry ids=1,x", "whole numbers"},
		{"expiry days=soon", "number of days"},
		{"expiry duration=0m", "1 to 120 months"},
		{"expiry duration=121m", "1 to 120 months"},
		{"expiry --quite", "Did you mean `quiet`?"},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			line, err := Parse(tt.text)
			if err != nil {
				t.Fatal(err)
			}
			_, err = bind(testSpec(), line, line.Args)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("bind(%q) = %v, want %q", tt.text, err, tt.want)
			}
		})
	}
}

func TestRegistry_Duplicate(t *testing.T) {
	if _, err := newRegistry([]*CommandSpec{testSpec(), testSpec()}); err == nil {
		t.Error("two commands with one name were accepted")
	}
}

func TestUsageLine(t *testing.T) {
	want := "alerts add <kind> [<channel>] [days=] [quiet] [ids=] [when=] [duration=]"
	if got := usageLine(testSpec()); got != want {
		t.Errorf("usageLine = %q, want %q", got, want)
	}
}

func TestDidYouMean(t *testing.T) {
	tests := []struct {
		in   string
		cand []string
		want string
	}{
		{"lsit", []string{"list", "info"}, "list"},
		{"sna", []string{"snapshot", "vhost"}, "snapshot"},
		{"zzzzzz", []string{"list", "info"}, ""},
		{"lis", []string{"list"}, "list"},
	}
	for _, tt := range tests {
		got := didYouMean(tt.in, tt.cand)
		if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
			t.Errorf("didYouMean(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseDays(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want int
		ok   bool
	}{
		{"30", 30, true}, {"30d", 30, true}, {"2w", 14, true}, {"3650", 3650, true}, {"521w", 3647, true},
		{"3651", 0, false}, {"522w", 0, false}, {"3650w", 0, false}, {"-1", 0, false},
		{"1317624576693539401w", 0, false}, // n*7 would wrap around to a small number
		{"w", 0, false}, {"ten", 0, false},
	} {
		got, err := parseDays(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("parseDays(%q) = %d, %v; want %d, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}
