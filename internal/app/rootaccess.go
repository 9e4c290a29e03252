package app

import (
	"context"
	"fmt"

	"github.com/sekisho/sekisho/internal/access"
	"github.com/sekisho/sekisho/internal/world"
)

// rootAccess answers AssumeRoot's question from the organization in the
// store (management account, membership) and from the two settings a
// world file declares for it, which have no API here: whether centralized
// root access is on and which account is IAM's delegated administrator.
type rootAccess struct {
	gate      *access.Gate
	delegated string
}

// newRootAccess returns nil when no world turns centralized root access
// on (the last declared organization wins, as for its policies).
func newRootAccess(gate *access.Gate, worlds []*world.World) *rootAccess {
	var decl *world.Organization
	for _, w := range worlds {
		if w.Organization != nil {
			decl = w.Organization
		}
	}
	if decl == nil || !decl.CentralizedRootAccess {
		return nil
	}
	return &rootAccess{gate: gate, delegated: decl.IAMDelegatedAdministrator}
}

// MayAssumeRootIn: target is a member account (not the management
// account) of the caller's organization, and the caller is its management
// account or the IAM delegated administrator.
func (r *rootAccess) MayAssumeRootIn(ctx context.Context, caller, target string) (bool, error) {
	from, err := r.gate.OrgMember(ctx, caller)
	if err != nil {
		return false, fmt.Errorf("organization of %s: %w", caller, err)
	}
	to, err := r.gate.OrgMember(ctx, target)
	if err != nil {
		return false, fmt.Errorf("organization of %s: %w", target, err)
	}
	if from == nil || to == nil || from.OrgID != to.OrgID || target == to.Management {
		return false, nil
	}
	return caller == from.Management || (r.delegated != "" && caller == r.delegated), nil
}
