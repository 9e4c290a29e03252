package app

import "github.com/sekisho/sekisho/internal/world"

// worldRootAccess answers AssumeRoot's questions from the organization a
// world file declares: its management account, its IAM delegated
// administrator, whether centralized root access is on, and its members
// (every other world account, as for control policies).
type worldRootAccess struct {
	decl    *world.Organization
	members map[string]bool
}

// rootAccess returns the worlds' organization for AssumeRoot, or nil
// when no world declares one (the last declared wins, as for policies).
func rootAccess(worlds []*world.World) *worldRootAccess {
	ra := &worldRootAccess{members: map[string]bool{}}
	for _, w := range worlds {
		if w.Organization != nil {
			ra.decl = w.Organization
		}
		for _, a := range w.Accounts {
			ra.members[a.ID] = true
		}
	}
	if ra.decl == nil {
		return nil
	}
	delete(ra.members, ra.decl.ManagementAccount)
	return ra
}

func (o *worldRootAccess) CentralizedRootAccess() bool { return o.decl.CentralizedRootAccess }

func (o *worldRootAccess) MayAssumeRoot(account string) bool {
	return account == o.decl.ManagementAccount ||
		(o.decl.IAMDelegatedAdministrator != "" && account == o.decl.IAMDelegatedAdministrator)
}

func (o *worldRootAccess) IsMember(account string) bool { return o.members[account] }
