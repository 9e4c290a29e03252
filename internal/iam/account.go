package iam

import (
	"context"
	"encoding/xml"
	"errors"
	"sort"

	"github.com/sekisho/sekisho/internal/awsproto"
	"github.com/sekisho/sekisho/internal/policy"
	"github.com/sekisho/sekisho/internal/store"
)

func (s *Service) accountOperations() map[string]operation {
	return map[string]operation{
		"GetAccountSummary":              s.getAccountSummary,
		"ListAccountAliases":             s.listAccountAliases,
		"CreateAccountAlias":             s.createAccountAlias,
		"DeleteAccountAlias":             s.deleteAccountAlias,
		"GetAccountAuthorizationDetails": s.getAccountAuthorizationDetails,
		"GetAccountPasswordPolicy":       s.getAccountPasswordPolicy,
	}
}

// accountQuotas are the quotas GetAccountSummary reports: AWS's defaults,
// except where this emulator's store enforces its own.
func accountQuotas() map[string]int {
	return map[string]int{
		"UsersQuota":                      5000,
		"GroupsQuota":                     300,
		"RolesQuota":                      1000,
		"PoliciesQuota":                   1500,
		"InstanceProfilesQuota":           1000,
		"ServerCertificatesQuota":         20,
		"AccessKeysPerUserQuota":          store.MaxAccessKeys,
		"SigningCertificatesPerUserQuota": 2,
		"GroupsPerUserQuota":              store.MaxGroupsPerUser,
		"AttachedPoliciesPerUserQuota":    attachedQuota,
		"AttachedPoliciesPerGroupQuota":   attachedQuota,
		"AttachedPoliciesPerRoleQuota":    attachedQuota,
		"VersionsPerPolicyQuota":          store.MaxPolicyVersions,
		"PolicySizeQuota":                 policy.MaxManagedPolicySize,
		"UserPolicySizeQuota":             2048,
		"GroupPolicySizeQuota":            5120,
		"RolePolicySizeQuota":             10240,
		"AssumeRolePolicySizeQuota":       policy.MaxTrustPolicySize,
		"PolicyVersionsInUseQuota":        10000,
		"GlobalEndpointTokenVersion":      1,
		"MFADevices":                      0,
		"MFADevicesInUse":                 0,
		"AccountMFAEnabled":               0,
		"Providers":                       0,
		"ServerCertificates":              0,
		// The root has no signing certificate: none can be uploaded.
		"AccountSigningCertificatesPresent": 0,
	}
}

type summaryEntryXML struct {
	Key   string `xml:"key"`
	Value int    `xml:"value"`
}

type getAccountSummaryResult struct {
	XMLName    xml.Name          `xml:"GetAccountSummaryResult"`
	SummaryMap []summaryEntryXML `xml:"SummaryMap>entry"`
}

func (s *Service) getAccountSummary(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	account := callerAccount(call)
	if e := s.authorize(ctx, call, account, "*", nil); e != nil {
		return nil, e
	}
	counts := accountQuotas()
	err := s.store.View(ctx, func(tx store.Tx) error { return countEntities(tx, account, counts) })
	if err != nil {
		return nil, s.internal(err)
	}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := getAccountSummaryResult{}
	for _, k := range keys {
		out.SummaryMap = append(out.SummaryMap, summaryEntryXML{Key: k, Value: counts[k]})
	}
	return out, nil
}

// getAccountPasswordPolicy answers as AWS does for an account without a
// custom password policy (one on the default policy, which is the only
// one Sekisho applies): NoSuchEntity naming the account.
func (s *Service) getAccountPasswordPolicy(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	account := callerAccount(call)
	if e := s.authorize(ctx, call, account, "*", nil); e != nil {
		return nil, e
	}
	return nil, noSuchEntity("The Password Policy with domain name %s cannot be found.", account)
}

// countEntities fills in the counts of the account's entities.
func countEntities(tx store.Tx, account string, counts map[string]int) error {
	users, err := tx.ListUsers(account, "")
	if err != nil {
		return err
	}
	groups, err := tx.ListGroups(account, "")
	if err != nil {
		return err
	}
	roles, err := tx.ListRoles(account, "")
	if err != nil {
		return err
	}
	profiles, err := tx.ListInstanceProfiles(account, "")
	if err != nil {
		return err
	}
	policies, err := tx.ListPolicies(account, "")
	if err != nil {
		return err
	}
	versions := 0
	for _, p := range policies {
		vs, err := tx.ListPolicyVersions(policyARNOf(p))
		if err != nil {
			return err
		}
		versions += len(vs)
	}
	rootKeys, err := tx.ListAccessKeys(account, "")
	if err != nil {
		return err
	}
	counts["Users"], counts["Groups"], counts["Roles"] = len(users), len(groups), len(roles)
	counts["InstanceProfiles"], counts["Policies"], counts["PolicyVersionsInUse"] = len(profiles), len(policies), versions
	counts["AccountAccessKeysPresent"] = min(len(rootKeys), 1)
	return countMFADevices(tx, account, counts)
}

// countMFADevices fills in MFADevices (every virtual device) and
// MFADevicesInUse (those enabled for a user).
func countMFADevices(tx store.Tx, account string, counts map[string]int) error {
	devices, err := tx.ListMFADevices(account)
	if err != nil {
		return err
	}
	inUse := 0
	for _, d := range devices {
		if d.UserName != "" {
			inUse++
		}
	}
	counts["MFADevices"], counts["MFADevicesInUse"] = len(devices), inUse
	return nil
}

type listAccountAliasesResult struct {
	XMLName        xml.Name        `xml:"ListAccountAliasesResult"`
	AccountAliases members[string] `xml:"AccountAliases"`
	pageXML
}

func (s *Service) listAccountAliases(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in := newInput(call.Params)
	req := in.pageRequest()
	if e := in.err(); e != nil {
		return nil, e
	}
	account := callerAccount(call)
	if e := s.authorize(ctx, call, account, "*", nil); e != nil {
		return nil, e
	}
	var a store.Account
	err := s.store.View(ctx, func(tx store.Tx) error {
		var err error
		a, err = tx.GetAccount(account)
		return ignoreNotFound(err)
	})
	if err != nil {
		return nil, s.internal(err)
	}
	var aliases []string
	if a.Alias != "" {
		aliases = append(aliases, a.Alias)
	}
	page, pg, e := paginate(aliases, nameKey, req)
	if e != nil {
		return nil, e
	}
	return listAccountAliasesResult{AccountAliases: memberList(page), pageXML: pg}, nil
}

// readAlias reads AccountAlias, checked against the model's pattern (which
// Go's regexp cannot express: it needs a lookahead), shown as the current
// model and API reference write it.
func readAlias(call *awsproto.Call) (string, *awsproto.Error) {
	in := newInput(call.Params)
	alias := in.text("AccountAlias", true, 3, 63, nil)
	if e := in.err(); e != nil {
		return "", e
	}
	if !validAlias(alias) {
		in.fail(alias, "accountAlias", "Member must satisfy regular expression pattern: ^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$")
	}
	return alias, in.err()
}

// createAccountAlias sets the account's one alias, replacing any other.
func (s *Service) createAccountAlias(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	alias, e := readAlias(call)
	if e != nil {
		return nil, e
	}
	account := callerAccount(call)
	if e := s.authorize(ctx, call, account, "*", nil); e != nil {
		return nil, e
	}
	err := s.store.Update(ctx, func(tx store.Tx) error {
		a, err := tx.GetAccount(account)
		if errors.Is(err, store.ErrNotFound) {
			a, err = store.Account{ID: account, CreatedAt: s.gate.Now()}, nil
		}
		if err != nil {
			return err
		}
		a.Alias = alias
		return orExists(tx.PutAccount(a), entityExists("The account alias %s already exists.", alias))
	})
	return nil, s.txError(err)
}

func (s *Service) deleteAccountAlias(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	alias, e := readAlias(call)
	if e != nil {
		return nil, e
	}
	account := callerAccount(call)
	if e := s.authorize(ctx, call, account, "*", nil); e != nil {
		return nil, e
	}
	err := s.store.Update(ctx, func(tx store.Tx) error {
		a, err := tx.GetAccount(account)
		if errors.Is(err, store.ErrNotFound) || (err == nil && a.Alias != alias) {
			return noSuchEntity("The account alias %s cannot be found.", alias)
		}
		if err != nil {
			return err
		}
		a.Alias = ""
		return tx.PutAccount(a)
	})
	return nil, s.txError(err)
}
