package store

import "time"

// Organization is an AWS Organizations organization: its root, units,
// member accounts, control policies and their attachments, handshakes
// and account-creation requests. The store keeps it whole (one record per
// organization) and checks Revision on every write, so two concurrent
// read-modify-write cycles cannot undo each other.
type Organization struct {
	ID                string // o-xxxxxxxxxx
	ManagementAccount string
	ManagementEmail   string
	RootID            string   // r-xxxx
	PolicyTypes       []string // policy types enabled on the root
	Units             []OrgUnit
	Accounts          []OrgAccount
	Policies          []OrgPolicy // customer policies; AWS managed ones are implied
	Attachments       []OrgAttachment
	Handshakes        []OrgHandshake
	CreateRequests    []OrgCreateRequest
	RootTags          []Tag
	DelegatedAdmins   []OrgDelegatedAdmin
	CreatedAt         time.Time
	// Revision counts the writes; PutOrganization of a record read at
	// another revision fails with ErrConflict.
	Revision int64
}

// OrgUnit is an organizational unit.
type OrgUnit struct {
	ID     string // ou-xxxx-xxxxxxxx
	Name   string
	Parent string // the root's or a unit's id
	Tags   []Tag
}

// OrgAccount is a member account.
type OrgAccount struct {
	ID       string
	Name     string
	Email    string
	Parent   string // the root's or a unit's id
	Status   string // ACTIVE, SUSPENDED, PENDING_CLOSURE
	Joined   string // CREATED or INVITED
	JoinedAt time.Time
	Tags     []Tag
}

// OrgPolicy is a customer-managed service or resource control policy.
type OrgPolicy struct {
	ID          string // p-xxxxxxxx
	Name        string
	Description string
	Type        string // SERVICE_CONTROL_POLICY or RESOURCE_CONTROL_POLICY
	Content     string
	Tags        []Tag
}

// OrgAttachment attaches a policy (by id, AWS managed ones included) to
// the root, a unit or an account.
type OrgAttachment struct {
	PolicyID string
	TargetID string
}

// OrgHandshake is an invitation of an existing account.
type OrgHandshake struct {
	ID        string // h-xxxxxxxxxx
	Account   string // the invited account
	State     string // OPEN, ACCEPTED, DECLINED, CANCELED
	Requested time.Time
	Expires   time.Time
}

// OrgDelegatedAdmin is a member account registered as the delegated
// administrator of an AWS service; it may read the organization.
type OrgDelegatedAdmin struct {
	Account          string
	ServicePrincipal string
	Since            time.Time
}

// OrgCreateRequest is one CreateAccount call and its outcome.
type OrgCreateRequest struct {
	ID          string // car-xxxxxxxx
	AccountName string
	AccountID   string
	State       string // IN_PROGRESS, SUCCEEDED, FAILED
	Failure     string
	Requested   time.Time
	Completed   time.Time
}

// MemberOf returns the organization's member record of account.
func (o *Organization) MemberOf(account string) (OrgAccount, bool) {
	for _, a := range o.Accounts {
		if a.ID == account {
			return a, true
		}
	}
	return OrgAccount{}, false
}
