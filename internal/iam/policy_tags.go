package iam

import (
	"context"

	"github.com/sekisho/sekisho/internal/awsproto"
	"github.com/sekisho/sekisho/internal/store"
)

// Tags of customer managed policies: CreatePolicy takes them and GetPolicy
// shows them; these change and list them, as terraform's aws_iam_policy
// does when its tags change.
func (s *Service) policyTagOperations() map[string]operation {
	return map[string]operation{
		"TagPolicy":      s.tagPolicy,
		"UntagPolicy":    s.untagPolicy,
		"ListPolicyTags": s.listPolicyTags,
	}
}

func (s *Service) tagPolicy(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in := newInput(call.Params)
	arn := in.arn("PolicyArn", true)
	edit, e := readTagEdit(in, "Policy")
	if e != nil {
		return nil, e
	}
	return nil, s.updatePolicyTags(ctx, call, arn, edit)
}

func (s *Service) untagPolicy(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in := newInput(call.Params)
	arn := in.arn("PolicyArn", true)
	edit, e := readUntagEdit(in)
	if e != nil {
		return nil, e
	}
	return nil, s.updatePolicyTags(ctx, call, arn, edit)
}

// updatePolicyTags authorizes a tag change on a policy of the caller's
// account and applies it. AWS managed policies belong to AWS: no account
// may tag them.
func (s *Service) updatePolicyTags(ctx context.Context, call *awsproto.Call, arn string, edit tagEdit) *awsproto.Error {
	if e := s.authorizePolicy(ctx, call, arn, edit.keys); e != nil {
		return e
	}
	if e := refuseAWSManaged(call, arn); e != nil {
		return e
	}
	err := s.store.Update(ctx, func(tx store.Tx) error {
		p, err := getPolicy(tx, callerAccount(call), arn)
		if err != nil {
			return err
		}
		tags, e := edit.change(p.Tags)
		if e != nil {
			return e
		}
		p.Tags = tags
		return tx.UpdatePolicy(p)
	})
	return s.txError(err)
}

func (s *Service) listPolicyTags(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	var req pageRequest
	arn, e := s.readPolicyARN(ctx, call, func(in *input) { req = in.pageRequest() })
	if e != nil {
		return nil, e
	}
	p, err := store.Read(ctx, s.store, func(tx store.Tx) (store.ManagedPolicy, error) {
		return getPolicy(tx, callerAccount(call), arn)
	})
	if e := s.txError(err); e != nil {
		return nil, e
	}
	return tagsPage(call, p.Tags, req)
}
