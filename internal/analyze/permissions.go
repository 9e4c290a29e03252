package analyze

import (
	"fmt"

	"github.com/sekisho/sekisho/internal/authz"
)

// Request is the engine request principalARN (a user, role or root ARN)
// would make, with its identity policies, boundary and neutral context,
// and neither action nor resource: `policy diff` fills those in to list
// what the principal is granted. SCPs are not in the snapshot; the caller
// adds them.
func (s *Snapshot) Request(principalARN string) (*authz.Request, error) {
	n := s.byARN[principalARN]
	if n == nil {
		return nil, fmt.Errorf("analyze: no principal %s in the state", principalARN)
	}
	return &authz.Request{Principal: n.id, Context: n.ctx, Identity: n.identity, Boundary: n.boundary}, nil
}
