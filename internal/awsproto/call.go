package awsproto

import (
	"encoding/json"

	"github.com/sekisho/sekisho/internal/caller"
	"github.com/sekisho/sekisho/internal/policy"
)

// Call is one authenticated request (Query or JSON protocol) handed to a service.
type Call struct {
	Action    string
	Params    Params
	Caller    *caller.Caller
	RequestID string
	Region    string
	// Context holds the request's condition keys (aws:SourceIp,
	// aws:CurrentTime, ...); services add their own and the gate adds the
	// caller's. Each authorization gets a clone.
	Context *policy.Context
	// Input is a JSON protocol request's body (a JSON object); Query
	// requests have Params instead.
	Input json.RawMessage
}

// Timestamp is AWS's ISO 8601 form for dates in responses.
const Timestamp = "2006-01-02T15:04:05Z"
