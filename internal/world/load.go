package world

import (
	"errors"
	"fmt"
	"time"

	"github.com/sekisho/sekisho/internal/creds"
	"github.com/sekisho/sekisho/internal/policy"
	"github.com/sekisho/sekisho/internal/store"
)

func loadPolicies(tx store.Tx, a *Account, now time.Time) error {
	for _, p := range a.Policies {
		if err := checkDocument(p.Document, policy.Identity, "policy "+p.Name); err != nil {
			return err
		}
		if err := putManagedPolicy(tx, a.ID, p, now); err != nil {
			return fmt.Errorf("policy %s: %w", p.Name, err)
		}
	}
	return nil
}

// putManagedPolicy creates the policy, or makes the document its default
// version when it differs from the current default.
func putManagedPolicy(tx store.Tx, account string, p ManagedPolicy, now time.Time) error {
	mp := store.ManagedPolicy{Account: account, Name: p.Name, Path: pathOr(p.Path), Description: p.Description,
		DefaultVersionID: "v1", CreatedAt: now, UpdatedAt: now}
	arn := "arn:aws:iam::" + account + ":policy" + mp.Path + p.Name
	existing, err := tx.GetPolicy(arn)
	if errors.Is(err, store.ErrNotFound) {
		mp.ID = creds.NewUniqueID(creds.PrefixManagedPolicy)
		return tx.CreatePolicy(mp, store.PolicyVersion{PolicyARN: arn, VersionID: "v1", Document: p.Document.JSON, CreatedAt: now})
	}
	if err != nil {
		return err
	}
	current, err := tx.GetPolicyVersion(arn, existing.DefaultVersionID)
	if err != nil || current.Document == p.Document.JSON {
		return err
	}
	return replaceDefaultVersion(tx, existing, p.Document.JSON, now)
}

// replaceDefaultVersion adds a version and makes it the default, dropping
// the oldest non-default version when the policy already has five.
func replaceDefaultVersion(tx store.Tx, mp store.ManagedPolicy, doc string, now time.Time) error {
	arn := "arn:aws:iam::" + mp.Account + ":policy" + mp.Path + mp.Name
	versions, err := tx.ListPolicyVersions(arn)
	if err != nil {
		return err
	}
	if len(versions) >= 5 {
		for _, v := range versions {
			if v.VersionID != mp.DefaultVersionID {
				if err := tx.DeletePolicyVersion(arn, v.VersionID); err != nil {
					return err
				}
				break
			}
		}
	}
	next := fmt.Sprintf("v%d", highestVersion(versions)+1)
	if err := tx.CreatePolicyVersion(store.PolicyVersion{PolicyARN: arn, VersionID: next, Document: doc, CreatedAt: now}); err != nil {
		return err
	}
	mp.DefaultVersionID, mp.UpdatedAt = next, now
	return tx.UpdatePolicy(mp)
}

func highestVersion(versions []store.PolicyVersion) int {
	high := 0
	for _, v := range versions {
		var n int
		if _, err := fmt.Sscanf(v.VersionID, "v%d", &n); err == nil && n > high {
			high = n
		}
	}
	return high
}

func loadGroups(tx store.Tx, a *Account, now time.Time) error {
	for _, g := range a.Groups {
		_, err := tx.GetGroup(a.ID, g.Name)
		if errors.Is(err, store.ErrNotFound) {
			err = tx.CreateGroup(store.Group{Account: a.ID, Name: g.Name, Path: pathOr(g.Path),
				ID: creds.NewUniqueID(creds.PrefixGroup), CreatedAt: now})
		}
		if err != nil {
			return fmt.Errorf("group %s: %w", g.Name, err)
		}
		if err := attachAll(tx, a.ID, store.KindGroup, g.Name, g.Policies, g.InlinePolicies); err != nil {
			return err
		}
	}
	return nil
}

func loadUsers(tx store.Tx, a *Account, now time.Time) error {
	for _, u := range a.Users {
		if err := loadUser(tx, a.ID, u, now); err != nil {
			return fmt.Errorf("user %s: %w", u.Name, err)
		}
	}
	return nil
}

func loadUser(tx store.Tx, account string, u User, now time.Time) error {
	boundary := ""
	if u.PermissionsBoundary != "" {
		boundary = policyARN(account, u.PermissionsBoundary)
	}
	existing, err := tx.GetUser(account, u.Name)
	switch {
	case errors.Is(err, store.ErrNotFound):
		err = tx.CreateUser(store.User{Account: account, Name: u.Name, Path: pathOr(u.Path), ID: creds.NewUniqueID(creds.PrefixUser),
			PermissionsBoundary: boundary, Tags: tags(u.Tags), CreatedAt: now})
	case err == nil:
		existing.Path, existing.PermissionsBoundary, existing.Tags = pathOr(u.Path), boundary, tags(u.Tags)
		err = tx.UpdateUser(existing)
	}
	if err != nil {
		return err
	}
	for _, k := range u.AccessKeys {
		if err := ensureKey(tx, account, u.Name, k, now); err != nil {
			return err
		}
	}
	if err := joinGroups(tx, account, u); err != nil {
		return err
	}
	if u.Password != "" {
		if err := tx.PutLoginProfile(store.LoginProfile{Account: account, UserName: u.Name,
			PasswordHash: HashPassword(u.Password), CreatedAt: now}); err != nil {
			return err
		}
	}
	return attachAll(tx, account, store.KindUser, u.Name, u.Policies, u.InlinePolicies)
}

func joinGroups(tx store.Tx, account string, u User) error {
	current, err := tx.ListGroupsForUser(account, u.Name)
	if err != nil {
		return err
	}
	for _, g := range u.Groups {
		member := false
		for _, c := range current {
			if c.Name == g {
				member = true
			}
		}
		if !member {
			if err := tx.AddUserToGroup(account, g, u.Name); err != nil {
				return fmt.Errorf("group %s: %w", g, err)
			}
		}
	}
	return nil
}

func loadRoles(tx store.Tx, a *Account, now time.Time) error {
	for _, r := range a.Roles {
		if err := loadRole(tx, a.ID, r, now); err != nil {
			return fmt.Errorf("role %s: %w", r.Name, err)
		}
	}
	return nil
}

func loadRole(tx store.Tx, account string, r Role, now time.Time) error {
	if err := checkDocument(r.TrustPolicy, policy.Trust, "trust policy"); err != nil {
		return err
	}
	maxDuration := r.MaxSessionDuration
	if maxDuration == 0 {
		maxDuration = 3600
	}
	if maxDuration < 3600 || maxDuration > 43200 {
		return fmt.Errorf("max_session_duration %d must be between 3600 and 43200", maxDuration)
	}
	boundary := ""
	if r.PermissionsBoundary != "" {
		boundary = policyARN(account, r.PermissionsBoundary)
	}
	role := store.Role{Account: account, Name: r.Name, Path: pathOr(r.Path), TrustPolicy: r.TrustPolicy.JSON,
		Description: r.Description, MaxSessionDuration: maxDuration, PermissionsBoundary: boundary, Tags: tags(r.Tags), CreatedAt: now}
	existing, err := tx.GetRole(account, r.Name)
	switch {
	case errors.Is(err, store.ErrNotFound):
		role.ID = creds.NewUniqueID(creds.PrefixRole)
		err = tx.CreateRole(role)
	case err == nil:
		role.ID, role.CreatedAt = existing.ID, existing.CreatedAt
		err = tx.UpdateRole(role)
	}
	if err != nil {
		return err
	}
	return attachAll(tx, account, store.KindRole, r.Name, r.Policies, r.InlinePolicies)
}

// attachAll attaches managed policies and puts inline ones.
func attachAll(tx store.Tx, account string, kind store.EntityKind, entity string, managed []string, inline map[string]Document) error {
	for _, ref := range managed {
		arn := policyARN(account, ref)
		if err := tx.AttachPolicy(store.Attachment{Account: account, Kind: kind, Entity: entity, PolicyARN: arn}); err != nil {
			return fmt.Errorf("attach %s: %w", arn, err)
		}
	}
	for name, doc := range inline {
		if err := checkDocument(doc, policy.Identity, "inline policy "+name); err != nil {
			return err
		}
		if err := tx.PutInlinePolicy(store.InlinePolicy{Account: account, Kind: kind, Entity: entity, Name: name, Document: doc.JSON}); err != nil {
			return err
		}
	}
	return nil
}

func loadInstanceProfiles(tx store.Tx, a *Account, now time.Time) error {
	for _, p := range a.InstanceProfiles {
		ip := store.InstanceProfile{Account: a.ID, Name: p.Name, Path: pathOr(p.Path), CreatedAt: now}
		if p.Role != "" {
			ip.Roles = []string{p.Role}
		}
		existing, err := tx.GetInstanceProfile(a.ID, p.Name)
		switch {
		case errors.Is(err, store.ErrNotFound):
			ip.ID = creds.NewUniqueID(creds.PrefixInstanceProfile)
			err = tx.CreateInstanceProfile(ip)
		case err == nil:
			ip.ID, ip.CreatedAt = existing.ID, existing.CreatedAt
			err = tx.UpdateInstanceProfile(ip)
		}
		if err != nil {
			return fmt.Errorf("instance profile %s: %w", p.Name, err)
		}
	}
	return nil
}

func loadBuckets(tx store.Tx, a *Account, now time.Time) error {
	for _, b := range a.Buckets {
		if b.Policy.JSON != "" {
			if err := checkDocument(b.Policy, policy.Resource, "bucket policy of "+b.Name); err != nil {
				return err
			}
		}
		region := b.Region
		if region == "" {
			region = "us-east-1"
		}
		bucket := store.Bucket{Name: b.Name, Account: a.ID, Region: region, Policy: b.Policy.JSON,
			Ownership: "BucketOwnerEnforced", CreatedAt: now}
		existing, err := tx.GetBucket(b.Name)
		switch {
		case errors.Is(err, store.ErrNotFound):
			err = tx.CreateBucket(bucket)
		case err == nil && existing.Account != a.ID:
			err = fmt.Errorf("bucket %s belongs to account %s", b.Name, existing.Account)
		case err == nil:
			existing.Policy = b.Policy.JSON
			err = tx.UpdateBucket(existing)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
