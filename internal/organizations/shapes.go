package organizations

import (
	"encoding/base64"
	"strconv"
	"time"

	"github.com/sekisho/sekisho/internal/awsproto"
	"github.com/sekisho/sekisho/internal/store"
)

// The API's JSON shapes. Timestamps are epoch seconds, as JSON 1.1 sends them.

type policyTypeSummary struct {
	Type   string
	Status string
}

type organizationShape struct {
	Id                   string
	Arn                  string
	FeatureSet           string
	MasterAccountArn     string
	MasterAccountId      string
	MasterAccountEmail   string
	AvailablePolicyTypes []policyTypeSummary
}

type rootShape struct {
	Id          string
	Arn         string
	Name        string
	PolicyTypes []policyTypeSummary
}

type accountShape struct {
	Id              string
	Arn             string
	Email           string
	Name            string
	Status          string
	State           string
	JoinedMethod    string
	JoinedTimestamp float64
}

type unitShape struct {
	Id   string
	Arn  string
	Name string
}

type policySummaryShape struct {
	Id          string
	Arn         string
	Name        string
	Description string
	Type        string
	AwsManaged  bool
}

type policyShape struct {
	PolicySummary policySummaryShape
	Content       string
}

type createStatusShape struct {
	Id                 string
	AccountName        string
	State              string
	RequestedTimestamp float64
	CompletedTimestamp float64 `json:",omitempty"`
	AccountId          string  `json:",omitempty"`
	FailureReason      string  `json:",omitempty"`
}

type partyShape struct {
	Id   string
	Type string
}

type handshakeResourceShape struct {
	Type      string
	Value     string
	Resources []handshakeResourceShape `json:",omitempty"`
}

type handshakeShape struct {
	Id                  string
	Arn                 string
	Parties             []partyShape
	State               string
	RequestedTimestamp  float64
	ExpirationTimestamp float64
	Action              string
	Resources           []handshakeResourceShape
}

type idType struct {
	Id   string
	Type string
}

type targetShape struct {
	TargetId string
	Arn      string
	Name     string
	Type     string
}

type tagShape struct {
	Key   string
	Value string
}

func epoch(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }

func (o *org) organizationShape() organizationShape {
	return organizationShape{Id: o.ID, Arn: o.orgARN(), FeatureSet: "ALL",
		MasterAccountArn: o.accountARN(o.ManagementAccount), MasterAccountId: o.ManagementAccount,
		MasterAccountEmail: o.ManagementEmail, AvailablePolicyTypes: o.policyTypes()}
}

func (o *org) policyTypes() []policyTypeSummary {
	out := []policyTypeSummary{}
	for _, t := range o.PolicyTypes {
		out = append(out, policyTypeSummary{Type: t, Status: "ENABLED"})
	}
	return out
}

func (o *org) rootShape() rootShape {
	return rootShape{Id: o.RootID, Arn: o.rootARN(), Name: "Root", PolicyTypes: o.policyTypes()}
}

func (o *org) accountShape(a store.OrgAccount) accountShape {
	state := a.Status
	if state == "" {
		state = "ACTIVE"
	}
	return accountShape{Id: a.ID, Arn: o.accountARN(a.ID), Email: a.Email, Name: a.Name, Status: a.Status,
		State: state, JoinedMethod: a.Joined, JoinedTimestamp: epoch(a.JoinedAt)}
}

func (o *org) unitShape(u store.OrgUnit) unitShape {
	return unitShape{Id: u.ID, Arn: o.unitARN(u.ID), Name: u.Name}
}

func (o *org) policySummary(p store.OrgPolicy) policySummaryShape {
	_, managed := awsManaged[p.ID]
	return policySummaryShape{Id: p.ID, Arn: o.policyARN(p), Name: p.Name, Description: p.Description, Type: p.Type, AwsManaged: managed}
}

func createStatus(r store.OrgCreateRequest) createStatusShape {
	out := createStatusShape{Id: r.ID, AccountName: r.AccountName, State: r.State, RequestedTimestamp: epoch(r.Requested),
		AccountId: r.AccountID, FailureReason: r.Failure}
	if !r.Completed.IsZero() {
		out.CompletedTimestamp = epoch(r.Completed)
	}
	return out
}

func (o *org) handshakeShape(h store.OrgHandshake, now time.Time) handshakeShape {
	return handshakeShape{Id: h.ID, Arn: o.handshakeARN(h.ID), State: handshakeState(h, now), Action: "INVITE",
		Parties:            []partyShape{{Id: o.ID, Type: "ORGANIZATION"}, {Id: h.Account, Type: "ACCOUNT"}},
		RequestedTimestamp: epoch(h.Requested), ExpirationTimestamp: epoch(h.Expires),
		Resources: o.handshakeResources(h)}
}

// handshakeResources are an invitation's resources as AWS's examples
// show them: the organization, holding the management account's email
// and name and the feature set, then the invited account.
func (o *org) handshakeResources(h store.OrgHandshake) []handshakeResourceShape {
	name := o.ManagementAccount
	if i := o.account(o.ManagementAccount); i >= 0 {
		name = o.Accounts[i].Name
	}
	return []handshakeResourceShape{
		{Type: "ORGANIZATION", Value: o.ID, Resources: []handshakeResourceShape{
			{Type: "MASTER_EMAIL", Value: o.ManagementEmail},
			{Type: "MASTER_NAME", Value: name},
			{Type: "ORGANIZATION_FEATURE_SET", Value: "ALL"},
		}},
		{Type: "ACCOUNT", Value: h.Account},
	}
}

func tagShapes(tags []store.Tag) []tagShape {
	out := []tagShape{}
	for _, t := range tags {
		out = append(out, tagShape(t))
	}
	return out
}

// page is one page of items: NextToken (opaque to clients) is the offset
// of the next item.
type pageRequest struct {
	NextToken  string
	MaxResults *int
}

// listed is a list operation's answer: the page under key, and NextToken
// only when more items follow. AWS omits the member on the last page; a
// JSON null there is not what clients see from AWS.
func listed(key string, page any, next *string) map[string]any {
	out := map[string]any{key: page}
	if next != nil {
		out["NextToken"] = *next
	}
	return out
}

func paginate[T any](items []T, req pageRequest) ([]T, *string, *awsproto.Error) {
	size := maxPageSize
	if req.MaxResults != nil {
		if *req.MaxResults < 1 {
			return nil, nil, invalidInput("MIN_VALUE_EXCEEDED", "MaxResults must be at least 1.")
		}
		if *req.MaxResults > maxPageSize {
			return nil, nil, invalidInput("MAX_VALUE_EXCEEDED", "MaxResults must be at most 20.")
		}
		size = *req.MaxResults
	}
	start := 0
	if req.NextToken != "" {
		raw, err := base64.RawURLEncoding.DecodeString(req.NextToken)
		n, err2 := strconv.Atoi(string(raw))
		if err != nil || err2 != nil || n < 0 || n > len(items) {
			return nil, nil, invalidInput("INVALID_NEXT_TOKEN", "You specified an invalid value for nextToken.")
		}
		start = n
	}
	end := min(start+size, len(items))
	var next *string
	if end < len(items) {
		t := base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(end)))
		next = &t
	}
	return items[start:end], next, nil
}
