// Package soak drives a real Sekisho server with mixed IAM, STS and S3
// traffic from many clients while policies change, then checks what a
// long run could break: acknowledged objects, authorization decisions
// (re-evaluated offline with the engine), goroutines, file descriptors
// and memory. The run itself is behind the "soak" build tag (make soak);
// this file holds the offline decision check, which the ordinary tests
// exercise too.
package soak

import (
	"fmt"
	"sync"
	"time"

	"github.com/sekisho/sekisho/internal/authz"
	"github.com/sekisho/sekisho/internal/policy"
)

// Version is one identity policy the run put in force: sent at Sent, its
// PutUserPolicy answered at Acked. Between the two it may or may not be
// in force yet.
type Version struct {
	Name   string
	Policy *policy.Policy
	Sent   time.Time
	Acked  time.Time
}

// Timeline is the succession of versions of one principal's only
// identity policy (each PutUserPolicy replaces the previous one).
type Timeline struct {
	mu       sync.Mutex
	versions []Version
}

// Add appends the next version; versions are added in the order sent,
// and the next is only sent once the previous one was acknowledged.
func (t *Timeline) Add(v Version) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.versions = append(t.versions, v)
}

// Len is the number of versions put in force.
func (t *Timeline) Len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.versions)
}

// Candidates are the versions that may have been in force at some moment
// of [start, end]: those sent by end and not surely replaced by start,
// i.e. whose successor was not yet acknowledged at start. A request
// racing a change may rightly see either side of it; one that began after
// a change was acknowledged must see it.
func (t *Timeline) Candidates(start, end time.Time) []Version {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []Version
	for i, v := range t.versions {
		if v.Sent.After(end) {
			break
		}
		if i+1 < len(t.versions) && !t.versions[i+1].Acked.After(start) {
			continue
		}
		out = append(out, v)
	}
	return out
}

// Observation is one authorization outcome a client saw: the request's
// action and resource, when it was sent and answered, and whether it was
// allowed (a success) or denied (AccessDenied).
type Observation struct {
	Action, Resource string
	Start, End       time.Time
	Allowed          bool
}

// Verdict is what the offline check found.
type Verdict struct {
	Checked     int
	WrongAllows int // allowed, though no version possibly in force allows
	WrongDenies int // denied, though every version possibly in force allows
	Examples    []string
}

// Check re-evaluates every observation with the engine, for principal
// whose only identity policy went through tl's versions (no boundary,
// group, session, bucket policy or organization applies in the run).
func Check(principal policy.Principal, tl *Timeline, observations []Observation) Verdict {
	var v Verdict
	for _, o := range observations {
		candidates := tl.Candidates(o.Start, o.End)
		allows := 0
		for _, c := range candidates {
			if Allows(principal, c.Policy, o.Action, o.Resource) {
				allows++
			}
		}
		v.Checked++
		switch {
		case o.Allowed && allows == 0:
			v.WrongAllows++
			v.example(fmt.Sprintf("allowed %s on %s, though none of %s allows it", o.Action, o.Resource, names(candidates)))
		case !o.Allowed && allows == len(candidates) && allows > 0:
			v.WrongDenies++
			v.example(fmt.Sprintf("denied %s on %s, though all of %s allow it", o.Action, o.Resource, names(candidates)))
		}
	}
	return v
}

func (v *Verdict) example(s string) {
	if len(v.Examples) < 10 {
		v.Examples = append(v.Examples, s)
	}
}

// Allows evaluates one request with the engine: the principal's identity
// policy p and nothing else.
func Allows(principal policy.Principal, p *policy.Policy, action, resource string) bool {
	d := authz.Evaluate(&authz.Request{Principal: principal, Action: action, Resource: resource,
		Context: policy.NewContext(), Identity: []authz.Source{{Name: "soak", Policy: p}}})
	return d.Effect == authz.Allowed
}

func names(vs []Version) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.Name
	}
	return out
}
