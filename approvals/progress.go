package approvals

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/paasbot/paasbot/gandi"
)

// The outcomes of a follow-up.
const (
	outcomeDone   = "done"
	outcomeFailed = "failed"
	outcomeGaveUp = "gave up"
)

// progress is what SetProgress keeps of an executed request: its
// operations and where they stand. It never holds a secret (no operation
// params, which Gandi may echo).
type progress struct {
	Started  time.Time       `json:"started"`
	Ops      []opState       `json:"ops"`
	Outcome  string          `json:"outcome,omitempty"`
	Error    string          `json:"error,omitempty"`
	Ended    *time.Time      `json:"ended,omitempty"`
	Instance *instanceResult `json:"instance,omitempty"`
}

// opState is one followed operation.
type opState struct {
	ID        int      `json:"id"`
	Type      string   `json:"type"`
	Step      string   `json:"step"`
	Trail     []string `json:"trail,omitempty"` // the steps seen, in order
	LastError string   `json:"last_error,omitempty"`
	PaasID    int      `json:"paas_id,omitempty"`
}

// instanceResult is what a finished create produced, or the expiry a
// finished renewal gave.
type instanceResult struct {
	ID        int        `json:"id"`
	Name      string     `json:"name"`
	FTPServer string     `json:"ftp_server,omitempty"`
	GitServer string     `json:"git_server,omitempty"`
	Vhosts    []string   `json:"vhosts,omitempty"`
	DateEnd   *time.Time `json:"date_end,omitempty"`
}

func newProgress(ops []gandi.Operation, started time.Time) *progress {
	pr := &progress{Started: started, Ops: make([]opState, 0, len(ops))}
	for _, op := range ops {
		pr.Ops = append(pr.Ops, opState{ID: op.ID, Type: op.Type, Step: string(op.Step), Trail: []string{string(op.Step)}, PaasID: op.PaasID})
	}
	return pr
}

func decodeProgress(raw json.RawMessage) (*progress, error) {
	var pr progress
	if err := json.Unmarshal(raw, &pr); err != nil {
		return nil, fmt.Errorf("decode progress: %w", err)
	}
	return &pr, nil
}
