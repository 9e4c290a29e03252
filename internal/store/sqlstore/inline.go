package sqlstore

import (
	"fmt"

	"github.com/sekisho/sekisho/internal/store"
)

// PutInlinePolicy creates or replaces (by name, compared case-insensitively,
// keeping the first spelling) an inline policy of a user, group or role.
func (t *Tx) PutInlinePolicy(p store.InlinePolicy) error {
	if err := Required("put inline policy", "name", p.Name); err != nil {
		return err
	}
	id, _, err := t.entity(p.Account, p.Kind, p.Entity)
	if err != nil {
		return fmt.Errorf("put inline policy %q: %w", p.Name, err)
	}
	_, err = t.exec(`INSERT INTO inline_policies (kind, entity_id, name, name_key, document) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (kind, entity_id, name_key) DO UPDATE SET document = excluded.document`,
		string(p.Kind), id, p.Name, nameKey(p.Name), p.Document)
	return t.wrapf(err, "put inline policy %q of %s %q", p.Name, p.Kind, p.Entity)
}

// GetInlinePolicy returns an inline policy by name, compared
// case-insensitively.
func (t *Tx) GetInlinePolicy(account string, kind store.EntityKind, entity, name string) (store.InlinePolicy, error) {
	id, stored, err := t.entity(account, kind, entity)
	if err != nil {
		return store.InlinePolicy{}, fmt.Errorf("get inline policy %q: %w", name, err)
	}
	p := store.InlinePolicy{Account: account, Kind: kind, Entity: stored}
	err = t.row("SELECT name, document FROM inline_policies WHERE kind = ? AND entity_id = ? AND name_key = ?",
		string(kind), id, nameKey(name)).Scan(&p.Name, &p.Document)
	if err != nil {
		return store.InlinePolicy{}, t.wrapf(err, "inline policy %q of %s %q", name, kind, stored)
	}
	return p, nil
}

// ListInlinePolicies returns an entity's inline policies, by name.
func (t *Tx) ListInlinePolicies(account string, kind store.EntityKind, entity string) ([]store.InlinePolicy, error) {
	id, stored, err := t.entity(account, kind, entity)
	if err != nil {
		return nil, fmt.Errorf("list inline policies: %w", err)
	}
	out, err := list(t, func(s scanner) (store.InlinePolicy, error) {
		p := store.InlinePolicy{Account: account, Kind: kind, Entity: stored}
		err := s.Scan(&p.Name, &p.Document)
		return p, err
	}, `SELECT name, document FROM inline_policies WHERE kind = ? AND entity_id = ? ORDER BY name_key{C}`, string(kind), id)
	return out, t.wrapf(err, "list inline policies of %s %q", kind, stored)
}

// DeleteInlinePolicy deletes an inline policy.
func (t *Tx) DeleteInlinePolicy(account string, kind store.EntityKind, entity, name string) error {
	id, stored, err := t.entity(account, kind, entity)
	if err != nil {
		return fmt.Errorf("delete inline policy %q: %w", name, err)
	}
	n, err := t.exec("DELETE FROM inline_policies WHERE kind = ? AND entity_id = ? AND name_key = ?",
		string(kind), id, nameKey(name))
	if err == nil && n == 0 {
		return notFound("inline policy %q of %s %q", name, kind, stored)
	}
	return t.wrapf(err, "delete inline policy %q of %s %q", name, kind, stored)
}

// AttachPolicy attaches a managed policy to a user, group or role (again:
// a no-op), each holding at most store.MaxAttached (store.ErrLimit).
func (t *Tx) AttachPolicy(a store.Attachment) error {
	eid, pid, err := t.attachment(a)
	if err != nil {
		return fmt.Errorf("attach policy: %w", err)
	}
	what := fmt.Sprintf("%s %q", a.Kind, a.Entity)
	attached, err := t.exists("SELECT 1 FROM attachments WHERE kind = ? AND entity_id = ? AND policy_id = ?",
		string(a.Kind), eid, pid)
	if err != nil || attached {
		return t.wrapf(err, "attach policy to %s", what)
	}
	n, err := t.count("SELECT COUNT(*) FROM attachments WHERE kind = ? AND entity_id = ?", string(a.Kind), eid)
	if err != nil {
		return t.wrapf(err, "count policies of %s", what)
	}
	if n >= store.MaxAttached {
		return fmt.Errorf("policies attached to %s: at most %d: %w", what, store.MaxAttached, store.ErrLimit)
	}
	_, err = t.exec("INSERT INTO attachments (kind, entity_id, policy_id) VALUES (?, ?, ?){DO NOTHING}",
		string(a.Kind), eid, pid)
	return t.wrapf(err, "attach policy to %s", what)
}

// DetachPolicy detaches a managed policy; one not attached gives
// store.ErrNotFound.
func (t *Tx) DetachPolicy(a store.Attachment) error {
	eid, pid, err := t.attachment(a)
	if err != nil {
		return fmt.Errorf("detach policy: %w", err)
	}
	n, err := t.exec("DELETE FROM attachments WHERE kind = ? AND entity_id = ? AND policy_id = ?", string(a.Kind), eid, pid)
	if err == nil && n == 0 {
		return notFound("policy %q attached to %s %q", a.PolicyARN, a.Kind, a.Entity)
	}
	return t.wrapf(err, "detach policy from %s %q", a.Kind, a.Entity)
}

// attachment finds the entity and policy ids of a.
func (t *Tx) attachment(a store.Attachment) (entityID, policyID string, err error) {
	if entityID, _, err = t.entity(a.Account, a.Kind, a.Entity); err != nil {
		return "", "", err
	}
	p, err := t.policy(a.PolicyARN)
	return entityID, p.id, err
}

// ListAttachedPolicies returns the policies attached to an entity, by
// policy name.
func (t *Tx) ListAttachedPolicies(account string, kind store.EntityKind, entity string) ([]store.Attachment, error) {
	id, stored, err := t.entity(account, kind, entity)
	if err != nil {
		return nil, fmt.Errorf("list attached policies: %w", err)
	}
	out, err := list(t, func(s scanner) (store.Attachment, error) {
		a := store.Attachment{Account: account, Kind: kind, Entity: stored}
		err := s.Scan(&a.PolicyARN)
		return a, err
	}, `SELECT p.arn FROM attachments a JOIN policies p ON p.id = a.policy_id
		WHERE a.kind = ? AND a.entity_id = ? ORDER BY p.name_key{C}, p.arn{C}`, string(kind), id)
	return out, t.wrapf(err, "list policies attached to %s %q", kind, stored)
}

// attachedTo selects the attachments of a policy (the one argument) with
// their entities, ordered by kind, entity name, then account (an AWS
// managed policy may be attached in several accounts).
const attachedTo = `SELECT kind, account, name FROM (
	SELECT a.kind, e.account, e.name, e.name_key FROM attachments a JOIN iam_groups e ON a.kind = 'group' AND e.id = a.entity_id WHERE a.policy_id = ?1
	UNION ALL
	SELECT a.kind, e.account, e.name, e.name_key FROM attachments a JOIN roles e ON a.kind = 'role' AND e.id = a.entity_id WHERE a.policy_id = ?1
	UNION ALL
	SELECT a.kind, e.account, e.name, e.name_key FROM attachments a JOIN users e ON a.kind = 'user' AND e.id = a.entity_id WHERE a.policy_id = ?1
	) x ORDER BY kind{C}, name_key{C}, account{C}`

// ListPolicyAttachments returns every attachment of a managed policy, by
// kind (group, role, user) then entity name.
func (t *Tx) ListPolicyAttachments(policyARN string) ([]store.Attachment, error) {
	p, err := t.policy(policyARN)
	if err != nil {
		return nil, fmt.Errorf("list policy attachments: %w", err)
	}
	out, err := list(t, func(s scanner) (store.Attachment, error) {
		a := store.Attachment{PolicyARN: p.arn}
		err := s.Scan(&a.Kind, &a.Account, &a.Entity)
		return a, err
	}, attachedTo, p.id)
	return out, t.wrapf(err, "list attachments of %q", p.arn)
}
