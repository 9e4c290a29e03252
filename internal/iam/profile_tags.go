package iam

import (
	"context"

	"github.com/sekisho/sekisho/internal/awsproto"
	"github.com/sekisho/sekisho/internal/store"
)

// profileTagOperations tag instance profiles, as terraform's
// aws_iam_instance_profile does whenever its tags change.
func (s *Service) profileTagOperations() map[string]operation {
	return map[string]operation{
		"TagInstanceProfile":      s.tagInstanceProfile,
		"UntagInstanceProfile":    s.untagInstanceProfile,
		"ListInstanceProfileTags": s.listInstanceProfileTags,
	}
}

func (s *Service) tagInstanceProfile(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in := newInput(call.Params)
	name := in.name("InstanceProfileName", maxLookupName)
	edit, e := readTagEdit(in, "InstanceProfile")
	if e != nil {
		return nil, e
	}
	return nil, s.updateProfileTags(ctx, call, name, edit)
}

func (s *Service) untagInstanceProfile(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in := newInput(call.Params)
	name := in.name("InstanceProfileName", maxLookupName)
	edit, e := readUntagEdit(in)
	if e != nil {
		return nil, e
	}
	return nil, s.updateProfileTags(ctx, call, name, edit)
}

// updateProfileTags authorizes a tag change on an instance profile of the
// caller's account and applies it.
func (s *Service) updateProfileTags(ctx context.Context, call *awsproto.Call, name string, edit tagEdit) *awsproto.Error {
	if e := s.authorizeOn(ctx, call, profileResource, name, edit.keys); e != nil {
		return e
	}
	err := s.store.Update(ctx, func(tx store.Tx) error {
		p, err := getProfile(tx, callerAccount(call), name)
		if err != nil {
			return err
		}
		tags, e := edit.change(p.Tags)
		if e != nil {
			return e
		}
		p.Tags = tags
		return tx.UpdateInstanceProfile(p)
	})
	return s.txError(err)
}

func (s *Service) listInstanceProfileTags(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in := newInput(call.Params)
	name := in.name("InstanceProfileName", maxLookupName)
	req := in.pageRequest()
	if e := in.err(); e != nil {
		return nil, e
	}
	if e := s.authorizeOn(ctx, call, profileResource, name, nil); e != nil {
		return nil, e
	}
	p, err := store.Read(ctx, s.store, func(tx store.Tx) (store.InstanceProfile, error) {
		return getProfile(tx, callerAccount(call), name)
	})
	if e := s.txError(err); e != nil {
		return nil, e
	}
	return tagsPage(call, p.Tags, req)
}
