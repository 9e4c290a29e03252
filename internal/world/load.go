package world

import (
	"encoding/xml"
	"errors"
	"fmt"
	"time"

	"github.com/sekisho/sekisho/internal/creds"
	"github.com/sekisho/sekisho/internal/policy"
	"github.com/sekisho/sekisho/internal/store"
)

func (l *loader) loadAccount(a *Account) error {
	err := l.once(accountKey(a.ID), func() error {
		if _, err := l.tx.GetAccount(a.ID); !errors.Is(err, store.ErrNotFound) {
			return err
		}
		return l.tx.PutAccount(store.Account{ID: a.ID, Alias: a.Alias, CreatedAt: l.now})
	})
	if err != nil {
		return err
	}
	if a.Root != nil && a.Root.AccessKeyID != "" {
		if err := l.ensureKey(a.ID, "", a.Root.Key); err != nil {
			return err
		}
	}
	if a.Root != nil && a.Root.Password != "" {
		if err := l.once("rootpassword/"+a.ID, func() error { return l.seedRootPassword(a.ID, a.Root.Password) }); err != nil {
			return err
		}
	}
	steps := []func(*Account) error{l.loadPolicies, l.loadGroups, l.loadUsers, l.loadMFADevices, l.loadOIDCProviders, l.loadSAMLProviders, l.loadRoles, l.loadInstanceProfiles, l.loadBuckets}
	for _, step := range steps {
		if err := step(a); err != nil {
			return err
		}
	}
	return nil
}

// ensureKey creates the access key unless it exists; an existing key is
// left as it is (active or not), but must belong to the same principal.
func (l *loader) ensureKey(account, user string, k Key) error {
	return l.once(accessKeyKey(k.AccessKeyID), func() error {
		existing, err := l.tx.GetAccessKey(k.AccessKeyID)
		switch {
		case err == nil:
			if existing.Account != account || existing.UserName != user {
				return fmt.Errorf("access key %s already belongs to another principal", k.AccessKeyID)
			}
			return nil
		case !errors.Is(err, store.ErrNotFound):
			return err
		}
		if _, ok := creds.IsAccessKeyID(k.AccessKeyID); !ok {
			return fmt.Errorf("access key id %q must be AKIA followed by 16 upper-case letters or digits", k.AccessKeyID)
		}
		err = l.tx.CreateAccessKey(store.AccessKey{ID: k.AccessKeyID, Secret: k.SecretAccessKey, Account: account,
			UserName: user, Active: true, CreatedAt: l.now})
		if user != "" {
			err = l.tolerate(err, "access key "+k.AccessKeyID, userKey(account, user))
		}
		return err
	})
}

func (l *loader) loadPolicies(a *Account) error {
	for _, p := range a.Policies {
		if err := checkDocument(p.Document, policy.Identity, "policy "+p.Name); err != nil {
			return err
		}
		if err := l.once(policyKey(store.PolicyARN(a.ID, pathOr(p.Path), p.Name)), func() error {
			return createManagedPolicy(l.tx, a.ID, p, l.now)
		}); err != nil {
			return fmt.Errorf("policy %s: %w", p.Name, err)
		}
	}
	return nil
}

// createManagedPolicy creates the policy unless one of its name exists.
func createManagedPolicy(tx store.Tx, account string, p ManagedPolicy, now time.Time) error {
	mp := store.ManagedPolicy{Account: account, Name: p.Name, Path: pathOr(p.Path), Description: p.Description,
		DefaultVersionID: "v1", CreatedAt: now, UpdatedAt: now}
	arn := store.PolicyARN(account, mp.Path, p.Name)
	_, err := tx.GetPolicy(arn)
	if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	mp.ID = creds.NewUniqueID(creds.PrefixManagedPolicy)
	return tx.CreatePolicy(mp, store.PolicyVersion{PolicyARN: arn, VersionID: "v1", Document: p.Document.JSON, CreatedAt: now})
}

func (l *loader) loadGroups(a *Account) error {
	for _, g := range a.Groups {
		err := l.once(groupKey(a.ID, g.Name), func() error {
			_, err := l.tx.GetGroup(a.ID, g.Name)
			if !errors.Is(err, store.ErrNotFound) {
				return err
			}
			return l.tx.CreateGroup(store.Group{Account: a.ID, Name: g.Name, Path: pathOr(g.Path),
				ID: creds.NewUniqueID(creds.PrefixGroup), CreatedAt: l.now})
		})
		if err != nil {
			return fmt.Errorf("group %s: %w", g.Name, err)
		}
		if err := l.attachAll(a.ID, store.KindGroup, g.Name, g.Policies, g.InlinePolicies); err != nil {
			return fmt.Errorf("group %s: %w", g.Name, err)
		}
	}
	return nil
}

func (l *loader) loadUsers(a *Account) error {
	for _, u := range a.Users {
		if err := l.loadUser(a.ID, u); err != nil {
			return fmt.Errorf("user %s: %w", u.Name, err)
		}
	}
	return nil
}

func (l *loader) loadUser(account string, u User) error {
	self := userKey(account, u.Name)
	err := l.once(self, func() error {
		_, err := l.tx.GetUser(account, u.Name)
		if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		boundary := ""
		if u.PermissionsBoundary != "" {
			boundary = policyARN(account, u.PermissionsBoundary)
		}
		return l.tx.CreateUser(store.User{Account: account, Name: u.Name, Path: pathOr(u.Path), ID: creds.NewUniqueID(creds.PrefixUser),
			PermissionsBoundary: boundary, Tags: tags(u.Tags), CreatedAt: l.now})
	})
	if err != nil {
		return err
	}
	for _, k := range u.AccessKeys {
		if err := l.ensureKey(account, u.Name, k); err != nil {
			return err
		}
	}
	for _, g := range u.Groups {
		if err := l.once(memberKey(account, g, u.Name), func() error {
			err := l.tx.AddUserToGroup(account, g, u.Name)
			return l.tolerate(err, "membership of "+u.Name+" in "+g, self, groupKey(account, g))
		}); err != nil {
			return fmt.Errorf("group %s: %w", g, err)
		}
	}
	if u.Password != "" {
		if err := l.once(loginKey(account, u.Name), func() error { return l.createLoginProfile(account, u) }); err != nil {
			return err
		}
	}
	return l.attachAll(account, store.KindUser, u.Name, u.Policies, u.InlinePolicies)
}

func (l *loader) createLoginProfile(account string, u User) error {
	_, err := l.tx.GetLoginProfile(account, u.Name)
	if !errors.Is(err, store.ErrNotFound) {
		return l.tolerate(err, "login profile of "+u.Name, userKey(account, u.Name))
	}
	err = l.tx.PutLoginProfile(store.LoginProfile{Account: account, UserName: u.Name,
		PasswordHash: HashPassword(u.Password), CreatedAt: l.now})
	return l.tolerate(err, "login profile of "+u.Name, userKey(account, u.Name))
}

func (l *loader) loadRoles(a *Account) error {
	for _, r := range a.Roles {
		if err := l.loadRole(a.ID, r); err != nil {
			return fmt.Errorf("role %s: %w", r.Name, err)
		}
	}
	return nil
}

func (l *loader) loadRole(account string, r Role) error {
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
	err := l.once(roleKey(account, r.Name), func() error {
		_, err := l.tx.GetRole(account, r.Name)
		if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		boundary := ""
		if r.PermissionsBoundary != "" {
			boundary = policyARN(account, r.PermissionsBoundary)
		}
		return l.tx.CreateRole(store.Role{Account: account, Name: r.Name, Path: pathOr(r.Path), TrustPolicy: r.TrustPolicy.JSON,
			Description: r.Description, MaxSessionDuration: maxDuration, PermissionsBoundary: boundary, Tags: tags(r.Tags),
			ID: creds.NewUniqueID(creds.PrefixRole), CreatedAt: l.now})
	})
	if err != nil {
		return err
	}
	return l.attachAll(account, store.KindRole, r.Name, r.Policies, r.InlinePolicies)
}

// attachAll attaches managed policies and puts inline ones, each once.
func (l *loader) attachAll(account string, kind store.EntityKind, entity string, managed []string, inline map[string]Document) error {
	self := entityKey(account, kind, entity)
	for _, ref := range managed {
		arn := policyARN(account, ref)
		err := l.once(attachKey(account, kind, entity, arn), func() error {
			err := l.tx.AttachPolicy(store.Attachment{Account: account, Kind: kind, Entity: entity, PolicyARN: arn})
			return l.tolerate(err, "attachment of "+arn+" to "+entity, self, policyKey(arn))
		})
		if err != nil {
			return fmt.Errorf("attach %s: %w", arn, err)
		}
	}
	for _, name := range sortedKeys(inline) {
		doc := inline[name]
		if err := checkDocument(doc, policy.Identity, "inline policy "+name); err != nil {
			return err
		}
		err := l.once(inlineKey(account, kind, entity, name), func() error {
			_, err := l.tx.GetInlinePolicy(account, kind, entity, name)
			if !errors.Is(err, store.ErrNotFound) {
				return l.tolerate(err, "inline policy "+name+" of "+entity, self)
			}
			err = l.tx.PutInlinePolicy(store.InlinePolicy{Account: account, Kind: kind, Entity: entity, Name: name, Document: doc.JSON})
			return l.tolerate(err, "inline policy "+name+" of "+entity, self)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func (l *loader) loadInstanceProfiles(a *Account) error {
	for _, p := range a.InstanceProfiles {
		err := l.once(profileKey(a.ID, p.Name), func() error {
			_, err := l.tx.GetInstanceProfile(a.ID, p.Name)
			if !errors.Is(err, store.ErrNotFound) {
				return err
			}
			ip := store.InstanceProfile{Account: a.ID, Name: p.Name, Path: pathOr(p.Path),
				ID: creds.NewUniqueID(creds.PrefixInstanceProfile), Tags: tags(p.Tags), CreatedAt: l.now}
			if p.Role != "" {
				if _, err := l.tx.GetRole(a.ID, p.Role); err != nil {
					return l.tolerate(err, "instance profile "+p.Name, roleKey(a.ID, p.Role))
				}
				ip.Roles = []string{p.Role}
			}
			return l.tx.CreateInstanceProfile(ip)
		})
		if err != nil {
			return fmt.Errorf("instance profile %s: %w", p.Name, err)
		}
	}
	return nil
}

func (l *loader) loadBuckets(a *Account) error {
	for _, b := range a.Buckets {
		if b.Policy.JSON != "" {
			if err := checkDocument(b.Policy, policy.Resource, "bucket policy of "+b.Name); err != nil {
				return err
			}
		}
		owned := false
		err := l.once(bucketKey(b.Name), func() error {
			var err error
			owned, err = l.createBucket(a.ID, b)
			return err
		})
		if err != nil {
			return fmt.Errorf("bucket %s: %w", b.Name, err)
		}
		if owned || l.seeded[bucketKey(b.Name)] {
			if err := l.planObjects(a.ID, b); err != nil {
				return fmt.Errorf("bucket %s: %w", b.Name, err)
			}
		}
	}
	return nil
}

// createBucket creates the bucket unless it exists. A bucket of that name
// owned by another account is skipped with a warning (bucket names are
// global; someone took it), so the world never stops the server starting.
func (l *loader) createBucket(account string, b Bucket) (owned bool, err error) {
	existing, err := l.tx.GetBucket(b.Name)
	switch {
	case err == nil && existing.Account != account:
		l.log.Warn("world: bucket skipped, another account owns it", "bucket", b.Name, "declared_in", account, "owner", existing.Account)
		return false, errSkip
	case !errors.Is(err, store.ErrNotFound):
		return err == nil, err
	}
	region := b.Region
	if region == "" {
		region = "us-east-1"
	}
	if l.objects != nil {
		if err := l.objects.EnsureBucket(b.Name); err != nil {
			return false, err
		}
	}
	if err := l.tx.CreateBucket(store.Bucket{Name: b.Name, Account: account, Region: region, Policy: b.Policy.JSON,
		Ownership: "BucketOwnerEnforced", CreatedAt: l.now}); err != nil {
		return false, err
	}
	if b.PublicAccessBlock == nil {
		return true, nil
	}
	doc, _ := xml.Marshal(b.PublicAccessBlock) // four booleans always marshal
	return true, l.tx.PutBucketSetting(b.Name, "publicAccessBlock", string(doc))
}

// planObjects queues the declared objects not seeded yet, if the bucket
// is still the account's; they are written after the commit.
func (l *loader) planObjects(account string, b Bucket) error {
	if l.objects == nil || len(b.Objects) == 0 {
		return nil
	}
	existing, err := l.tx.GetBucket(b.Name)
	if errors.Is(err, store.ErrNotFound) || (err == nil && existing.Account != account) {
		return nil // deleted (or deleted and taken) since it was seeded
	}
	if err != nil {
		return err
	}
	for _, key := range sortedKeys(b.Objects) {
		if k := objectKey(b.Name, key); !l.seeded[k] {
			l.pending = append(l.pending, pendingObject{key: k, bucket: b.Name, name: key, data: []byte(b.Objects[key])})
		}
	}
	return nil
}
