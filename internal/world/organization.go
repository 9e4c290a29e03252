package world

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"math/big"
	"strings"
	"time"

	"github.com/sekisho/sekisho/internal/policy"
	"github.com/sekisho/sekisho/internal/store"
)

// LoadOrganization seeds the organization the worlds declare (the last
// declaration wins) into the store, once in the life of the store: every
// world account is a member, under the unit that lists it or the root,
// and both control policy types are enabled. At each root, unit and
// account the declared policies of a type are attached, or AWS's full
// access policy of that type when none is declared. Afterwards the
// Organizations API owns it: a restart never reverts its changes.
func LoadOrganization(ctx context.Context, st store.Store, worlds []*World, log *slog.Logger) error {
	var decl *Organization
	var accounts []string
	for _, w := range worlds {
		if w.Organization != nil {
			decl = w.Organization
		}
		for _, a := range w.Accounts {
			accounts = append(accounts, a.ID)
		}
	}
	if decl == nil {
		return nil
	}
	return st.Update(ctx, func(tx store.Tx) error {
		l, err := newLoader(tx, time.Now().UTC(), log, nil)
		if err != nil {
			return err
		}
		err = l.once("organization:"+decl.ManagementAccount, func() error {
			o, err := buildOrganization(tx, decl, accounts, l.now)
			if err != nil || o == nil {
				return err
			}
			return tx.PutOrganization(*o)
		})
		if err != nil {
			return fmt.Errorf("organization: %w", err)
		}
		return saveSeeded(tx, l.seeded, len(l.added))
	})
}

// Ids of AWS's full access policies in the Organizations API.
var orgDefaults = map[string]string{"scp": "p-FullAWSAccess", "rcp": "p-RCPFullAWSAccess"}

// buildOrganization turns the declaration into the stored form; nil when
// the management account already has an organization (made by the API).
func buildOrganization(tx store.Tx, decl *Organization, accounts []string, now time.Time) (*store.Organization, error) {
	existing, err := tx.ListOrganizations()
	if err != nil {
		return nil, err
	}
	taken := map[string]bool{}
	for _, o := range existing {
		if o.ManagementAccount == decl.ManagementAccount {
			return nil, nil
		}
		for _, a := range o.Accounts {
			taken[a.ID] = true
		}
	}
	o := &store.Organization{ID: "o-" + randomID(10), ManagementAccount: decl.ManagementAccount, CreatedAt: now,
		ManagementEmail: "management+" + decl.ManagementAccount + "@example.com",
		PolicyTypes:     []string{"SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"}}
	o.RootID = "r-" + randomID(4)
	unitIDs := map[string]string{"": o.RootID, "root": o.RootID}
	for _, u := range decl.Units {
		unitIDs[u.Name] = "ou-" + strings.TrimPrefix(o.RootID, "r-") + "-" + randomID(8)
	}
	home := map[string]string{}
	for _, u := range decl.Units {
		parent, ok := unitIDs[u.Parent]
		if !ok {
			return nil, fmt.Errorf("unit %s: unknown parent unit %q", u.Name, u.Parent)
		}
		o.Units = append(o.Units, store.OrgUnit{ID: unitIDs[u.Name], Name: u.Name, Parent: parent})
		for _, a := range u.Accounts {
			home[a] = unitIDs[u.Name]
		}
	}
	seen := map[string]bool{}
	for _, a := range append([]string{decl.ManagementAccount}, accounts...) {
		if seen[a] || taken[a] {
			continue
		}
		seen[a] = true
		parent := home[a]
		if parent == "" {
			parent = o.RootID
		}
		o.Accounts = append(o.Accounts, store.OrgAccount{ID: a, Name: a, Email: "account+" + a + "@example.com",
			Parent: parent, Status: "ACTIVE", Joined: "CREATED", JoinedAt: now})
	}
	policyIDs := map[string]string{"FullAWSAccess": orgDefaults["scp"], "RCPFullAWSAccess": orgDefaults["rcp"]}
	policyKinds := map[string]string{"FullAWSAccess": "scp", "RCPFullAWSAccess": "rcp"}
	for _, p := range decl.Policies {
		kind, typ, pt := "scp", "SERVICE_CONTROL_POLICY", policy.SCP
		if strings.EqualFold(p.Type, "rcp") {
			kind, typ, pt = "rcp", "RESOURCE_CONTROL_POLICY", policy.RCP
		}
		if err := checkDocument(p.Document, pt, "organization policy "+p.Name); err != nil {
			return nil, err
		}
		id := "p-" + randomID(8)
		policyIDs[p.Name], policyKinds[p.Name] = id, kind
		o.Policies = append(o.Policies, store.OrgPolicy{ID: id, Name: p.Name, Type: typ, Content: p.Document.JSON})
	}
	targets := map[string]string{"root": o.RootID}
	for name, id := range unitIDs {
		if name != "" {
			targets[name] = id
		}
	}
	for _, a := range o.Accounts {
		targets[a.ID] = a.ID
	}
	for name := range decl.Attach {
		if _, ok := targets[name]; !ok {
			return nil, fmt.Errorf("attach: unknown target %q (root, a unit name or a member account)", name)
		}
	}
	for name, target := range targets {
		for _, kind := range []string{"scp", "rcp"} {
			var ids []string
			for _, pn := range decl.Attach[name] {
				if _, ok := policyIDs[pn]; !ok {
					return nil, fmt.Errorf("attach %s: unknown policy %q", name, pn)
				}
				if policyKinds[pn] == kind {
					ids = append(ids, policyIDs[pn])
				}
			}
			if len(ids) == 0 {
				ids = []string{orgDefaults[kind]}
			}
			for _, id := range ids {
				o.Attachments = append(o.Attachments, store.OrgAttachment{PolicyID: id, TargetID: target})
			}
		}
	}
	return o, nil
}

func randomID(n int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	for i := range b {
		k, err := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		if err != nil {
			panic("crypto/rand: " + err.Error())
		}
		b[i] = alphabet[k.Int64()]
	}
	return string(b)
}
