package sqlstore

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/sekisho/sekisho/internal/store"
)

const policyCols = `p.id, p.account, p.name, p.path, p.description, p.default_version, p.tags,
	p.created_at, p.updated_at`

// CreatePolicy creates a managed policy, keyed by store.PolicyARN, with
// its first version (VersionID "" means v1), which becomes the default.
// first.PolicyARN is ignored. A zero UpdatedAt is set to CreatedAt.
func (t *Tx) CreatePolicy(p store.ManagedPolicy, first store.PolicyVersion) error {
	if err := Required("create policy", "account", p.Account, "name", p.Name, "ID", p.ID); err != nil {
		return err
	}
	if first.VersionID == "" {
		first.VersionID = "v1"
	}
	num, err := versionNumber(first.VersionID)
	if err != nil {
		return fmt.Errorf("create policy %q: %w", p.Name, err)
	}
	tags, err := encodeTags(p.Tags)
	if err != nil {
		return fmt.Errorf("create policy %q: %w", p.Name, err)
	}
	arn := store.PolicyARN(p.Account, p.Path, p.Name)
	created := t.stamp(p.CreatedAt)
	updated := created
	if !p.UpdatedAt.IsZero() {
		updated = p.UpdatedAt.UnixMicro()
	}
	err = t.insert(`INSERT INTO policies (id, account, name, name_key, path, arn, arn_key, description,
		default_version, tags, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?){DO NOTHING}`,
		p.ID, p.Account, p.Name, nameKey(p.Name), normPath(p.Path), arn, nameKey(arn), p.Description,
		first.VersionID, tags, created, updated)
	if err != nil {
		return t.wrapf(err, "policy %q", p.Name)
	}
	if first.CreatedAt.IsZero() {
		first.CreatedAt = fromMicros(created)
	}
	return t.insertVersion(p.ID, num, first)
}

// versionNumber is N of a version id "vN".
func versionNumber(id string) (int, error) {
	n, err := strconv.Atoi(strings.TrimPrefix(id, "v"))
	if err != nil || n < 1 || !strings.HasPrefix(id, "v") {
		return 0, fmt.Errorf("policy version id %q is not v<number>", id)
	}
	return n, nil
}

func (t *Tx) insertVersion(policyID string, num int, v store.PolicyVersion) error {
	err := t.insert(`INSERT INTO policy_versions (policy_id, version_id, version_num, document, created_at)
		VALUES (?, ?, ?, ?, ?){DO NOTHING}`, policyID, v.VersionID, num, v.Document, t.stamp(v.CreatedAt))
	return t.wrapf(err, "policy version %s", v.VersionID)
}

// policyRef is what the store knows of a policy for a given ARN.
type policyRef struct {
	id, arn, defaultVersion string
}

// policy finds a policy by ARN, compared case-insensitively.
func (t *Tx) policy(arn string) (policyRef, error) {
	var p policyRef
	err := t.row("SELECT id, arn, default_version FROM policies WHERE arn_key = ?", nameKey(arn)).
		Scan(&p.id, &p.arn, &p.defaultVersion)
	return p, t.wrapf(err, "policy %q", arn)
}

// GetPolicy returns the managed policy with this ARN.
func (t *Tx) GetPolicy(arn string) (store.ManagedPolicy, error) {
	p, err := scanPolicy(t.row("SELECT "+policyCols+" FROM policies p WHERE p.arn_key = ?", nameKey(arn)))
	return p, t.wrapf(err, "policy %q", arn)
}

// ListPolicies returns the account's managed policies whose path starts
// with pathPrefix, by name ("aws" lists the AWS managed ones).
func (t *Tx) ListPolicies(account, pathPrefix string) ([]store.ManagedPolicy, error) {
	out, err := list(t, scanPolicy, "SELECT "+policyCols+` FROM policies p WHERE p.account = ? ORDER BY p.name_key{C}`, account)
	if err != nil {
		return nil, t.wrapf(err, "list policies")
	}
	return filterPath(out, pathPrefix, func(p store.ManagedPolicy) string { return p.Path }), nil
}

// UpdatePolicy sets the default version (which must exist), description,
// tags and UpdatedAt (zero: now) of the policy with p's account and ID.
func (t *Tx) UpdatePolicy(p store.ManagedPolicy) error {
	found, err := t.exists("SELECT 1 FROM policies WHERE account = ? AND id = ?", p.Account, p.ID)
	if err != nil {
		return t.wrapf(err, "policy id %q", p.ID)
	}
	if !found {
		return notFound("policy id %q", p.ID)
	}
	found, err = t.exists("SELECT 1 FROM policy_versions WHERE policy_id = ? AND version_id = ?", p.ID, p.DefaultVersionID)
	if err != nil {
		return t.wrapf(err, "policy %q", p.Name)
	}
	if !found {
		return notFound("policy %q version %s", p.Name, p.DefaultVersionID)
	}
	tags, err := encodeTags(p.Tags)
	if err != nil {
		return fmt.Errorf("update policy %q: %w", p.Name, err)
	}
	_, err = t.exec("UPDATE policies SET default_version = ?, description = ?, tags = ?, updated_at = ? WHERE id = ?",
		p.DefaultVersionID, p.Description, tags, t.stamp(p.UpdatedAt), p.ID)
	return t.wrapf(err, "update policy %q", p.Name)
}

// DeletePolicy deletes a managed policy that is attached nowhere and has
// only its default version left (store.ErrConflict otherwise).
func (t *Tx) DeletePolicy(arn string) error {
	p, err := t.policy(arn)
	if err != nil {
		return err
	}
	what := fmt.Sprintf("policy %q", p.arn)
	attached, err := t.exists("SELECT 1 FROM attachments WHERE policy_id = ? LIMIT 1", p.id)
	if err != nil {
		return t.wrapf(err, "delete %s", what)
	}
	if attached {
		return fmt.Errorf("delete %s: it is still attached: %w", what, store.ErrConflict)
	}
	others, err := t.exists("SELECT 1 FROM policy_versions WHERE policy_id = ? AND version_id <> ? LIMIT 1", p.id, p.defaultVersion)
	if err != nil {
		return t.wrapf(err, "delete %s", what)
	}
	if others {
		return fmt.Errorf("delete %s: it still has non-default versions: %w", what, store.ErrConflict)
	}
	if _, err := t.exec("DELETE FROM policy_versions WHERE policy_id = ?", p.id); err != nil {
		return t.wrapf(err, "delete %s", what)
	}
	_, err = t.exec("DELETE FROM policies WHERE id = ?", p.id)
	return t.wrapf(err, "delete %s", what)
}

// CreatePolicyVersion adds a version (VersionID "vN", unique in the
// policy) to a policy with fewer than store.MaxPolicyVersions.
func (t *Tx) CreatePolicyVersion(v store.PolicyVersion) error {
	p, err := t.policy(v.PolicyARN)
	if err != nil {
		return fmt.Errorf("create policy version: %w", err)
	}
	num, err := versionNumber(v.VersionID)
	if err != nil {
		return fmt.Errorf("create policy version: %w", err)
	}
	n, err := t.count("SELECT COUNT(*) FROM policy_versions WHERE policy_id = ?", p.id)
	if err != nil {
		return t.wrapf(err, "count versions of %q", p.arn)
	}
	if n >= store.MaxPolicyVersions {
		return fmt.Errorf("versions of policy %q: at most %d: %w", p.arn, store.MaxPolicyVersions, store.ErrLimit)
	}
	return t.insertVersion(p.id, num, v)
}

const versionCols = "p.arn, v.version_id, v.document, v.created_at FROM policy_versions v JOIN policies p ON p.id = v.policy_id"

// GetPolicyVersion returns one version of a policy.
func (t *Tx) GetPolicyVersion(policyARN, versionID string) (store.PolicyVersion, error) {
	v, err := scanVersion(t.row("SELECT "+versionCols+" WHERE p.arn_key = ? AND v.version_id = ?", nameKey(policyARN), versionID))
	return v, t.wrapf(err, "policy %q version %s", policyARN, versionID)
}

// ListPolicyVersions returns a policy's versions in numeric order.
func (t *Tx) ListPolicyVersions(policyARN string) ([]store.PolicyVersion, error) {
	p, err := t.policy(policyARN)
	if err != nil {
		return nil, fmt.Errorf("list policy versions: %w", err)
	}
	out, err := list(t, scanVersion, "SELECT "+versionCols+" WHERE v.policy_id = ? ORDER BY v.version_num", p.id)
	return out, t.wrapf(err, "list versions of %q", p.arn)
}

// DeletePolicyVersion deletes a version other than the default
// (store.ErrConflict).
func (t *Tx) DeletePolicyVersion(policyARN, versionID string) error {
	p, err := t.policy(policyARN)
	if err != nil {
		return fmt.Errorf("delete policy version: %w", err)
	}
	if versionID == p.defaultVersion {
		return fmt.Errorf("delete policy %q version %s: it is the default: %w", p.arn, versionID, store.ErrConflict)
	}
	n, err := t.exec("DELETE FROM policy_versions WHERE policy_id = ? AND version_id = ?", p.id, versionID)
	if err == nil && n == 0 {
		return notFound("policy %q version %s", p.arn, versionID)
	}
	return t.wrapf(err, "delete policy %q version %s", p.arn, versionID)
}

func scanPolicy(s scanner) (store.ManagedPolicy, error) {
	var p store.ManagedPolicy
	var tags string
	var created, updated int64
	err := s.Scan(&p.ID, &p.Account, &p.Name, &p.Path, &p.Description, &p.DefaultVersionID, &tags, &created, &updated)
	if err != nil {
		return store.ManagedPolicy{}, err
	}
	p.CreatedAt, p.UpdatedAt = fromMicros(created), fromMicros(updated)
	p.Tags, err = decodeTags(tags)
	return p, err
}

func scanVersion(s scanner) (store.PolicyVersion, error) {
	var v store.PolicyVersion
	var created int64
	if err := s.Scan(&v.PolicyARN, &v.VersionID, &v.Document, &created); err != nil {
		return store.PolicyVersion{}, err
	}
	v.CreatedAt = fromMicros(created)
	return v, nil
}
