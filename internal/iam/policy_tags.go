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
	tags := in.tags(true)
	if e := in.err(); e != nil {
		return nil, e
	}
	if e := checkTagKeys(tags); e != nil {
		return nil, e
	}
	return nil, s.updatePolicyTags(ctx, call, arn, tagContext(tags, nil), func(current []store.Tag) ([]store.Tag, *awsproto.Error) {
		return mergeTags(current, tags, "Policy")
	})
}

func (s *Service) untagPolicy(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in := newInput(call.Params)
	arn := in.arn("PolicyArn", true)
	keys := in.tagKeys()
	if e := in.err(); e != nil {
		return nil, e
	}
	return nil, s.updatePolicyTags(ctx, call, arn, map[string][]string{"aws:TagKeys": keys}, func(current []store.Tag) ([]store.Tag, *awsproto.Error) {
		return removeTags(current, keys), nil
	})
}

// updatePolicyTags authorizes a tag change on a policy of the caller's
// account and applies it. AWS managed policies belong to AWS: no account
// may tag them.
func (s *Service) updatePolicyTags(ctx context.Context, call *awsproto.Call, arn string, extra map[string][]string,
	change func([]store.Tag) ([]store.Tag, *awsproto.Error)) *awsproto.Error {
	if e := s.authorizePolicy(ctx, call, arn, extra); e != nil {
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
		tags, e := change(p.Tags)
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
