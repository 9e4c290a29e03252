package organizations

import (
	"context"
	"net/http"
	"strings"

	"github.com/sekisho/sekisho/internal/awsproto"
	"github.com/sekisho/sekisho/internal/store"
)

var errUnitNotFound = orgError(http.StatusBadRequest, "OrganizationalUnitNotFoundException", "You specified an organizational unit that doesn't exist.")

func checkUnitName(name string) error {
	if name == "" || chars(name) > 128 {
		return invalidInput(lengthReason(name, 1), "The organizational unit name must be 1 to 128 characters.")
	}
	return nil
}

// unitNameTaken reports a sibling unit with the same name.
func (o *org) unitNameTaken(parent, name, except string) bool {
	for _, u := range o.Units {
		if u.Parent == parent && u.ID != except && strings.EqualFold(u.Name, name) {
			return true
		}
	}
	return false
}

var errDuplicateUnit = orgError(http.StatusBadRequest, "DuplicateOrganizationalUnitException", "An OU with the same name already exists.")

func (s *Service) createUnit(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	var in struct {
		ParentId, Name string
		Tags           []tagShape
	}
	if e := decode(call, &in); e != nil {
		return nil, e
	}
	if err := checkUnitName(in.Name); err != nil {
		return nil, s.txError(err)
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, s.txError(err)
	}
	return s.change(ctx, call, func(o *org) string { return o.targetARN(in.ParentId) }, func(tx store.Tx, o *org) (any, error) {
		if err := o.checkParent(in.ParentId, errParentNotFound); err != nil {
			return nil, err
		}
		switch {
		case o.unitNameTaken(in.ParentId, in.Name, ""):
			return nil, errDuplicateUnit
		case in.ParentId != o.RootID && o.depth(in.ParentId) >= maxDepth:
			return nil, constraint("OU_DEPTH_LIMIT_EXCEEDED", "You attempted to create an OU tree that is too many levels deep.")
		}
		u := store.OrgUnit{ID: o.newUnitID(), Name: in.Name, Parent: in.ParentId, Tags: toTags(in.Tags)}
		o.Units = append(o.Units, u)
		o.attachDefaults(u.ID)
		return map[string]any{"OrganizationalUnit": o.unitShape(u)}, nil
	})
}

// knownUnit finds a unit for an operation on it.
func knownUnit(o *org, id string) (int, error) {
	if !strings.HasPrefix(id, "ou-") {
		return -1, invalidInput("INVALID_PATTERN", "You provided a value that does not match the required pattern.")
	}
	i := o.unit(id)
	if i < 0 {
		return -1, errUnitNotFound
	}
	return i, nil
}

func (s *Service) updateUnit(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	var in struct{ OrganizationalUnitId, Name string }
	if e := decode(call, &in); e != nil {
		return nil, e
	}
	return s.change(ctx, call, func(o *org) string { return o.unitARN(in.OrganizationalUnitId) }, func(tx store.Tx, o *org) (any, error) {
		i, err := knownUnit(o, in.OrganizationalUnitId)
		if err != nil {
			return nil, err
		}
		if in.Name != "" {
			if err := checkUnitName(in.Name); err != nil {
				return nil, err
			}
			if o.unitNameTaken(o.Units[i].Parent, in.Name, o.Units[i].ID) {
				return nil, errDuplicateUnit
			}
			o.Units[i].Name = in.Name
		}
		return map[string]any{"OrganizationalUnit": o.unitShape(o.Units[i])}, nil
	})
}

func (s *Service) deleteUnit(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	var in struct{ OrganizationalUnitId string }
	if e := decode(call, &in); e != nil {
		return nil, e
	}
	_, e := s.change(ctx, call, func(o *org) string { return o.unitARN(in.OrganizationalUnitId) }, func(tx store.Tx, o *org) (any, error) {
		i, err := knownUnit(o, in.OrganizationalUnitId)
		if err != nil {
			return nil, err
		}
		for _, id := range o.targets() {
			if id != in.OrganizationalUnitId && o.parentOf(id) == in.OrganizationalUnitId {
				return nil, orgError(http.StatusBadRequest, "OrganizationalUnitNotEmptyException", "The specified OU is not empty. Move all accounts to another root or to other OUs, remove all child OUs, and try the operation again.")
			}
		}
		o.Units = append(o.Units[:i], o.Units[i+1:]...)
		o.detachWhere(func(a store.OrgAttachment) bool { return a.TargetID != in.OrganizationalUnitId })
		return nil, nil
	})
	return nil, e
}

func (s *Service) describeUnit(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	var in struct{ OrganizationalUnitId string }
	if e := decode(call, &in); e != nil {
		return nil, e
	}
	return s.read(ctx, call, func(o *org) string { return o.unitARN(in.OrganizationalUnitId) }, func(o *org) (any, *awsproto.Error) {
		i, err := knownUnit(o, in.OrganizationalUnitId)
		if err != nil {
			return nil, s.txError(err)
		}
		return map[string]any{"OrganizationalUnit": o.unitShape(o.Units[i])}, nil
	})
}

func (s *Service) listUnitsForParent(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	var in struct {
		pageRequest
		ParentId string
	}
	if e := decode(call, &in); e != nil {
		return nil, e
	}
	return s.read(ctx, call, func(o *org) string { return o.targetARN(in.ParentId) }, func(o *org) (any, *awsproto.Error) {
		if err := o.checkParent(in.ParentId, errParentNotFound); err != nil {
			return nil, s.txError(err)
		}
		out := []unitShape{}
		for _, u := range o.Units {
			if u.Parent == in.ParentId {
				out = append(out, o.unitShape(u))
			}
		}
		page, next, e := paginate(out, in.pageRequest)
		if e != nil {
			return nil, e
		}
		return listed("OrganizationalUnits", page, next), nil
	})
}
