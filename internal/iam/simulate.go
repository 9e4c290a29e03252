package iam

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/sekisho/sekisho/internal/access"
	"github.com/sekisho/sekisho/internal/arn"
	"github.com/sekisho/sekisho/internal/authz"
	"github.com/sekisho/sekisho/internal/awsproto"
	"github.com/sekisho/sekisho/internal/policy"
	"github.com/sekisho/sekisho/internal/simulate"
	"github.com/sekisho/sekisho/internal/store"
)

// The policy simulator decides each action × resource with the engine the
// server itself uses, over either an entity's stored policies
// (SimulatePrincipalPolicy) or given documents (SimulateCustomPolicy).

func (s *Service) simulateOperations() map[string]operation {
	return map[string]operation{
		"SimulatePrincipalPolicy": s.simulatePrincipalPolicy,
		"SimulateCustomPolicy":    s.simulateCustomPolicy,
	}
}

// simSource is a policy taking part in a simulation, with how the result
// names it: SourcePolicyId and SourcePolicyType (user, group, role,
// aws-managed, user-managed, resource or none).
type simSource struct {
	source authz.Source
	id     string
	kind   string
}

// simInput is a simulation's validated parameters.
type simInput struct {
	actions        []string
	resources      []string
	resourcePolicy string
	resourceOwner  string
	callerARN      string
	policies       []string
	boundaries     []string
	context        []contextEntry
	page           pageRequest
}

type contextEntry struct {
	name   string
	values []string
}

var contextKeyTypes = []string{"string", "stringList", "numeric", "numericList", "boolean", "booleanList",
	"ip", "ipList", "binary", "binaryList", "date", "dateList"}

func readSimInput(in *input, policiesRequired bool) simInput {
	si := simInput{
		policies:       in.list("PolicyInputList", policiesRequired, 1, maxDocument, &documentPattern),
		boundaries:     in.list("PermissionsBoundaryPolicyInputList", false, 1, maxDocument, &documentPattern),
		actions:        in.list("ActionNames", true, 3, 128, nil),
		resources:      in.list("ResourceArns", false, 1, 2048, nil),
		resourcePolicy: in.document("ResourcePolicy", false),
		resourceOwner:  in.text("ResourceOwner", false, 1, 2048, nil),
		callerARN:      in.text("CallerArn", false, 1, 2048, nil),
		context:        readContextEntries(in),
		page:           in.pageRequest(),
	}
	// ResourceHandlingOption is only validated: the EC2 scenarios it
	// names are not modelled.
	in.text("ResourceHandlingOption", false, 1, 64, nil)
	return si
}

// readContextEntries reads ContextEntries.member.N.{ContextKeyName,
// ContextKeyValues.member.M, ContextKeyType}. Values are kept as text:
// the condition operators interpret them.
func readContextEntries(in *input) []contextEntry {
	var out []contextEntry
	for i, fields := range in.params.Structs("ContextEntries") {
		where := fmt.Sprintf("contextEntries.%d.member.", i+1)
		name, ok := fields["ContextKeyName"]
		if !ok {
			in.failNull(where + "contextKeyName")
		} else {
			in.check(name, where+"contextKeyName", 5, 256, nil)
		}
		if t, ok := fields["ContextKeyType"]; ok && !contains(contextKeyTypes, t) {
			in.fail(t, where+"contextKeyType", "Member must satisfy enum value set: ["+strings.Join(contextKeyTypes, ", ")+"]")
		}
		var values []string
		for j := 1; ; j++ {
			v, ok := fields["ContextKeyValues.member."+strconv.Itoa(j)]
			if !ok {
				break
			}
			values = append(values, v)
		}
		out = append(out, contextEntry{name: name, values: values})
	}
	return out
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// simulation is everything the engine needs, ready to evaluate.
type simulation struct {
	principal      policy.Principal
	identity       []simSource
	boundary       *simSource
	resourcePolicy *simSource
	resourceOwner  string
	context        *policy.Context
}

func (s *Service) simulatePrincipalPolicy(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in := newInput(call.Params)
	source := in.arn("PolicySourceArn", true)
	si := readSimInput(in, false)
	if e := in.err(); e != nil {
		return nil, e
	}
	target, e := parseSourceARN(source)
	if e != nil {
		return nil, e
	}
	if e := s.authorize(ctx, call, target.account, source, nil); e != nil {
		return nil, e
	}
	if target.account != callerAccount(call) {
		return nil, target.missing()
	}
	sim, e := s.customSimulation(call, si)
	if e != nil {
		return nil, e
	}
	err := s.store.View(ctx, func(tx store.Tx) error { return s.loadSource(tx, target, si, sim) })
	if e := s.txError(err); e != nil {
		return nil, e
	}
	return runSimulation(call, si, sim)
}

func (s *Service) simulateCustomPolicy(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in := newInput(call.Params)
	si := readSimInput(in, true)
	if e := in.err(); e != nil {
		return nil, e
	}
	if e := s.authorize(ctx, call, callerAccount(call), "*", nil); e != nil {
		return nil, e
	}
	sim, e := s.customSimulation(call, si)
	if e != nil {
		return nil, e
	}
	return runSimulation(call, si, sim)
}

// sourceARN is SimulatePrincipalPolicy's user, group or role.
type sourceARN struct {
	account, kind, path, name string
}

func (t sourceARN) missing() *awsproto.Error {
	switch t.kind {
	case "group":
		return noSuchGroup(t.name)
	case "role":
		return noSuchRole(t.name)
	}
	return noSuchUser(t.name)
}

func parseSourceARN(s string) (sourceARN, *awsproto.Error) {
	a, err := arn.Parse(s)
	bad := invalidInput("Invalid ARN: Could not be parsed!")
	if err != nil || a.Service != "iam" || !arn.IsAccountID(a.Account) {
		return sourceARN{}, bad
	}
	kind, rest, ok := strings.Cut(a.Resource, "/")
	if !ok || (kind != "user" && kind != "group" && kind != "role") || strings.HasSuffix(rest, "/") {
		return sourceARN{}, bad
	}
	full := "/" + rest
	slash := strings.LastIndexByte(full, '/')
	return sourceARN{account: a.Account, kind: kind, path: full[:slash+1], name: full[slash+1:]}, nil
}

// customSimulation builds a simulation from the request's documents, with
// the caller (CallerArn, or a user of the caller's account) as principal.
func (s *Service) customSimulation(call *awsproto.Call, si simInput) (*simulation, *awsproto.Error) {
	sim := &simulation{principal: policy.Principal{Type: policy.PrincipalUser, Account: callerAccount(call)}}
	if si.callerARN != "" {
		p, err := policy.ParsePrincipalARN(si.callerARN)
		if err != nil || p.Type != policy.PrincipalUser {
			return nil, invalidInput("Invalid CallerArn: %s is not the ARN of an IAM user.", si.callerARN)
		}
		sim.principal = p
	}
	for i, doc := range si.policies {
		p, e := parseSimDocument(doc, policy.Identity)
		if e != nil {
			return nil, e
		}
		id := "PolicyInputList." + strconv.Itoa(i+1)
		sim.identity = append(sim.identity, simSource{source: authz.Source{Name: id, Policy: p}, id: id, kind: "none"})
	}
	if len(si.boundaries) > 1 {
		return nil, invalidInput("Only one permissions boundary policy may be simulated.")
	}
	for _, doc := range si.boundaries {
		p, e := parseSimDocument(doc, policy.Identity)
		if e != nil {
			return nil, e
		}
		id := "PermissionsBoundaryPolicyInputList.1"
		sim.boundary = &simSource{source: authz.Source{Name: id, Policy: p}, id: id, kind: "none"}
	}
	if si.resourcePolicy != "" {
		p, e := parseSimDocument(si.resourcePolicy, policy.Resource)
		if e != nil {
			return nil, e
		}
		sim.resourcePolicy = &simSource{source: authz.Source{Name: "ResourcePolicy", Policy: p}, id: "ResourcePolicy", kind: "resource"}
	}
	owner, e := resourceOwner(si.resourceOwner)
	if e != nil {
		return nil, e
	}
	sim.resourceOwner = owner
	return sim, nil
}

// parseSimDocument validates a document given to the simulator; the
// simulator takes documents up to the parameter's own limit.
func parseSimDocument(doc string, t policy.Type) (*policy.Policy, *awsproto.Error) {
	p, err := policy.ParseWithOptions(doc, t, policy.Options{MaxSize: maxDocument})
	if err != nil {
		return nil, documentError(err)
	}
	return p, nil
}

// resourceOwner reads ResourceOwner: an account id or its root ARN.
func resourceOwner(s string) (string, *awsproto.Error) {
	if s == "" || arn.IsAccountID(s) {
		return s, nil
	}
	if a, err := arn.Parse(s); err == nil && a.Service == "iam" && arn.IsAccountID(a.Account) {
		return a.Account, nil
	}
	return "", invalidInput("Invalid ResourceOwner: %s", s)
}

// loadSource adds the source entity's stored policies (its groups' too,
// for a user) to the simulation, before any given in PolicyInputList, and
// its permissions boundary unless one was given.
func (s *Service) loadSource(tx store.Tx, t sourceARN, si simInput, sim *simulation) error {
	e, err := s.sourceEntity(tx, t, sim)
	if err != nil {
		return err
	}
	if sim.boundary != nil {
		e.Boundary = "" // the given boundary replaces the stored one
	}
	pp, err := s.gate.Gatherer().Gather(tx, e)
	if err != nil {
		return err
	}
	stored := make([]simSource, 0, len(pp.Identity))
	for _, gp := range pp.Identity {
		stored = append(stored, simSourceOf(gp))
	}
	sim.identity = append(stored, sim.identity...)
	if pp.Boundary != nil {
		b := simSourceOf(*pp.Boundary)
		sim.boundary = &b
	}
	return nil
}

// sourceEntity loads the user, group or role PolicySourceArn names (its
// path must match) and makes it the simulation's principal unless
// CallerArn named one.
func (s *Service) sourceEntity(tx store.Tx, t sourceARN, sim *simulation) (access.Entity, error) {
	switch t.kind {
	case "user":
		u, err := tx.GetUser(t.account, t.name)
		if errors.Is(err, store.ErrNotFound) || (err == nil && u.Path != t.path) {
			return access.Entity{}, t.missing()
		}
		if err != nil {
			return access.Entity{}, err
		}
		if sim.principal.ARN == "" {
			sim.principal = policy.Principal{Type: policy.PrincipalUser, Account: u.Account, ARN: access.UserARN(u)}
		}
		return access.Entity{Kind: store.KindUser, Account: u.Account, Name: u.Name, Boundary: u.PermissionsBoundary}, nil
	case "group":
		g, err := tx.GetGroup(t.account, t.name)
		if errors.Is(err, store.ErrNotFound) || (err == nil && g.Path != t.path) {
			return access.Entity{}, t.missing()
		}
		if err != nil {
			return access.Entity{}, err
		}
		return access.Entity{Kind: store.KindGroup, Account: g.Account, Name: g.Name}, nil
	}
	r, err := tx.GetRole(t.account, t.name)
	if errors.Is(err, store.ErrNotFound) || (err == nil && r.Path != t.path) {
		return access.Entity{}, t.missing()
	}
	if err != nil {
		return access.Entity{}, err
	}
	if sim.principal.ARN == "" {
		if p, err := policy.ParsePrincipalARN(access.RoleARN(r)); err == nil {
			sim.principal = p
		}
	}
	return access.Entity{Kind: store.KindRole, Account: r.Account, Name: r.Name, Boundary: r.PermissionsBoundary}, nil
}

// simSourceOf names a gathered policy as the simulator reports it: inline
// policies by their owner's kind, managed ones as user- or AWS-managed.
func simSourceOf(gp access.GatheredPolicy) simSource {
	kind := string(gp.Owner)
	switch {
	case gp.Inline():
	case gp.AWSManaged:
		kind = "aws-managed"
	default:
		kind = "user-managed"
	}
	return simSource{source: gp.Source, id: gp.Source.Name, kind: kind}
}

// The results.

type positionXML struct {
	Line   int `xml:"Line"`
	Column int `xml:"Column"`
}

type statementXML struct {
	SourcePolicyID   string       `xml:"SourcePolicyId"`
	SourcePolicyType string       `xml:"SourcePolicyType"`
	StartPosition    *positionXML `xml:"StartPosition"`
	EndPosition      *positionXML `xml:"EndPosition"`
}

type boundaryDecisionXML struct {
	AllowedByPermissionsBoundary bool `xml:"AllowedByPermissionsBoundary"`
}

type evaluationResultXML struct {
	EvalActionName                    string                `xml:"EvalActionName"`
	EvalResourceName                  string                `xml:"EvalResourceName"`
	EvalDecision                      string                `xml:"EvalDecision"`
	MatchedStatements                 members[statementXML] `xml:"MatchedStatements"`
	MissingContextValues              members[string]       `xml:"MissingContextValues"`
	PermissionsBoundaryDecisionDetail *boundaryDecisionXML  `xml:"PermissionsBoundaryDecisionDetail"`
}

// simulateResult is Simulate{Principal,Custom}PolicyResult.
type simulateResult struct {
	XMLName           xml.Name
	EvaluationResults members[evaluationResultXML] `xml:"EvaluationResults"`
	pageXML
}

// runSimulation evaluates every action on every resource (default "*").
func runSimulation(call *awsproto.Call, si simInput, sim *simulation) (any, *awsproto.Error) {
	for _, a := range si.actions {
		if !strings.Contains(a, ":") {
			return nil, invalidInput("Action %s is not in the form service:action.", a)
		}
	}
	resources := si.resources
	if len(resources) == 0 {
		resources = []string{"*"}
	}
	sim.context = simContext(sim.principal, si.context)
	req, sources := sim.request()
	missing := sim.missingKeys()
	var results []evaluationResultXML
	for _, action := range si.actions {
		for _, resource := range resources {
			req.Action, req.Resource = action, resource
			results = append(results, sim.evaluate(req, sources, missing))
		}
	}
	type indexed struct {
		i int
		r evaluationResultXML
	}
	all := make([]indexed, len(results))
	for i, r := range results {
		all[i] = indexed{i, r}
	}
	page, pg, e := paginate(all, func(x indexed) string { return fmt.Sprintf("%010d", x.i) }, si.page)
	if e != nil {
		return nil, e
	}
	out := simulateResult{XMLName: xml.Name{Local: call.Action + "Result"}, pageXML: pg}
	for _, x := range page {
		out.EvaluationResults.Member = append(out.EvaluationResults.Member, x.r)
	}
	return out, nil
}

// simContext sets the principal's own keys (aws:username, ...) and then
// the given entries, which replace them.
func simContext(p policy.Principal, entries []contextEntry) *policy.Context {
	ctx := policy.NewContext()
	if p.ARN != "" {
		simulate.PrincipalKeys(ctx, &p)
	}
	for _, e := range entries {
		ctx.Set(e.name, e.values...)
	}
	return ctx
}

// request assembles the engine's request; sources maps each source the
// engine may cite back to its simulation entry.
func (sim *simulation) request() (*authz.Request, map[*authz.Source]*simSource) {
	req := &authz.Request{Principal: sim.principal, ResourceAccount: sim.resourceOwner, Context: sim.context}
	sources := map[*authz.Source]*simSource{}
	req.Identity = make([]authz.Source, len(sim.identity))
	for i := range sim.identity {
		req.Identity[i] = sim.identity[i].source
		sources[&req.Identity[i]] = &sim.identity[i]
	}
	if sim.boundary != nil {
		req.Boundary = &sim.boundary.source
		sources[req.Boundary] = sim.boundary
	}
	if sim.resourcePolicy != nil {
		req.ResourcePolicy = &sim.resourcePolicy.source
		sources[req.ResourcePolicy] = sim.resourcePolicy
	}
	return req, sources
}

// missingKeys lists the condition keys the policies read that the
// context lacks.
func (sim *simulation) missingKeys() []string {
	all := make([]*simSource, 0, len(sim.identity)+2)
	for i := range sim.identity {
		all = append(all, &sim.identity[i])
	}
	for _, src := range []*simSource{sim.boundary, sim.resourcePolicy} {
		if src != nil {
			all = append(all, src)
		}
	}
	seen := map[string]bool{}
	var out []string
	for _, src := range all {
		for _, k := range src.source.Policy.ConditionKeys() {
			lower := strings.ToLower(k)
			if _, ok := sim.context.Get(k); !ok && !seen[lower] {
				seen[lower] = true
				out = append(out, k)
			}
		}
	}
	sort.Strings(out)
	return out
}

func (sim *simulation) evaluate(req *authz.Request, sources map[*authz.Source]*simSource, missing []string) evaluationResultXML {
	d := authz.Evaluate(req)
	r := evaluationResultXML{EvalActionName: req.Action, EvalResourceName: req.Resource, EvalDecision: decisionName(d.Effect),
		MissingContextValues: memberList(missing)}
	for _, ref := range d.Statements() {
		src, ok := sources[ref.Source]
		if !ok {
			continue
		}
		r.MatchedStatements.Member = append(r.MatchedStatements.Member, statementXML{SourcePolicyID: src.id, SourcePolicyType: src.kind})
	}
	if sim.boundary != nil {
		res := sim.boundary.source.Policy.Evaluate(&policy.Request{Action: req.Action, Resource: req.Resource, Principal: &req.Principal, Context: req.Context})
		r.PermissionsBoundaryDecisionDetail = &boundaryDecisionXML{AllowedByPermissionsBoundary: res.Allowed() && !res.Denied()}
	}
	return r
}

func decisionName(e authz.Effect) string {
	switch e {
	case authz.Allowed:
		return "allowed"
	case authz.ExplicitDeny:
		return "explicitDeny"
	}
	return "implicitDeny"
}
