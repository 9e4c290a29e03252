package s3

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sekisho/sekisho/internal/blob"
	"github.com/sekisho/sekisho/internal/store"
)

// SweepLifecycle applies every bucket's lifecycle configuration as of now,
// as S3's daily pass does: current versions past their Expiration are
// deleted (or, in a versioned bucket, hidden by a delete marker);
// noncurrent versions past NoncurrentVersionExpiration are deleted, keeping
// the NewerNoncurrentVersions newest; expired object delete markers (the
// only version left of a key) are removed; incomplete multipart uploads
// past AbortIncompleteMultipartUpload are aborted. Transitions change
// nothing here (there is one storage class). Errors on one bucket do not
// stop the others; the first is returned.
func (s *Service) SweepLifecycle(ctx context.Context, now time.Time) error {
	buckets, err := s.lifecycleBuckets(ctx)
	if err != nil {
		return fmt.Errorf("lifecycle sweep: %w", err)
	}
	var first error
	for _, lb := range buckets {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := s.sweepBucket(lb, now.UTC()); err != nil && first == nil {
			first = fmt.Errorf("lifecycle sweep of %s: %w", lb.name, err)
		}
	}
	return first
}

// lifecycleBucket is a bucket with its enabled rules and versioning state.
type lifecycleBucket struct {
	name       string
	rules      []lifecycleRule
	versioning blob.Versioning
}

// lifecycleBuckets reads, in one transaction, the buckets that have a
// lifecycle configuration with at least one enabled rule.
func (s *Service) lifecycleBuckets(ctx context.Context) ([]lifecycleBucket, error) {
	var out []lifecycleBucket
	err := s.store.View(ctx, func(tx store.Tx) error {
		accounts, err := tx.ListAccounts()
		if err != nil {
			return err
		}
		for _, a := range accounts {
			buckets, err := tx.ListBuckets(a.ID)
			if err != nil {
				return err
			}
			for _, b := range buckets {
				lb, ok, err := readLifecycle(tx, b.Name)
				if err != nil {
					return err
				}
				if ok {
					out = append(out, lb)
				}
			}
		}
		return nil
	})
	return out, err
}

func readLifecycle(tx store.Tx, bucket string) (lifecycleBucket, bool, error) {
	doc, err := tx.GetBucketSetting(bucket, lifecycleConfig.query)
	if errors.Is(err, store.ErrNotFound) {
		return lifecycleBucket{}, false, nil
	} else if err != nil {
		return lifecycleBucket{}, false, err
	}
	var cfg lifecycleConfiguration
	if xml.Unmarshal([]byte(doc), &cfg) != nil {
		return lifecycleBucket{}, false, nil // validated when stored; unreadable means nothing to apply
	}
	lb := lifecycleBucket{name: bucket}
	for _, r := range cfg.Rules {
		if r.Status == "Enabled" {
			lb.rules = append(lb.rules, r)
		}
	}
	if len(lb.rules) == 0 {
		return lb, false, nil
	}
	lb.versioning, err = readVersioning(tx, bucket)
	return lb, err == nil, err
}

func (s *Service) sweepBucket(lb lifecycleBucket, now time.Time) error {
	for _, r := range lb.rules {
		if err := s.sweepVersions(lb, r, now); err != nil {
			return err
		}
		if err := s.abortStaleUploads(lb.name, r, now); err != nil {
			return err
		}
	}
	return nil
}

// sweepVersions walks the rule's keys one key (all its versions, newest
// first) at a time.
func (s *Service) sweepVersions(lb lifecycleBucket, r lifecycleRule, now time.Time) error {
	q := blob.VersionQuery{Prefix: r.prefix(), MaxKeys: 1000}
	var group []blob.Info
	flush := func() error {
		if len(group) == 0 {
			return nil
		}
		err := s.expireKey(lb, r, group, now)
		group = group[:0]
		return err
	}
	for {
		page, err := s.blobs.ListVersions(lb.name, q)
		if errors.Is(err, blob.ErrNoSuchBucket) {
			return nil // deleted meanwhile
		} else if err != nil {
			return err
		}
		for _, v := range page.Versions {
			if len(group) > 0 && group[0].Key != v.Key {
				if err := flush(); err != nil {
					return err
				}
			}
			group = append(group, v)
		}
		if !page.Truncated {
			return flush()
		}
		q.KeyMarker, q.VersionIDMarker = page.NextKeyMarker, page.NextVersionIDMarker
	}
}

// expireKey applies the rule to one key's versions, newest first. A page
// boundary may split a key's versions; the remainder is then judged as
// noncurrent on its own, which only ever keeps more than S3 would.
func (s *Service) expireKey(lb lifecycleBucket, r lifecycleRule, versions []blob.Info, now time.Time) error {
	latest := versions[0]
	if !latest.IsLatest {
		return s.expireNoncurrent(lb, r, versions, latest.LastModified, now)
	}
	if latest.DeleteMarker {
		if len(versions) == 1 && r.expiresDeleteMarkers() {
			_, err := s.blobs.DeleteVersion(lb.name, latest.Key, latest.VersionID)
			return ignoreGone(err)
		}
	} else if r.currentExpired(latest.LastModified, now) && s.ruleMatches(lb, r, latest) {
		if err := s.expireCurrent(lb, latest); err != nil {
			return err
		}
	}
	if len(versions) > 1 {
		return s.expireNoncurrent(lb, r, versions[1:], latest.LastModified, now)
	}
	return nil
}

func (s *Service) expireCurrent(lb lifecycleBucket, v blob.Info) error {
	if lb.versioning == blob.Unversioned {
		return ignoreGone(s.blobs.Delete(lb.name, v.Key))
	}
	_, err := s.blobs.PutDeleteMarker(lb.name, v.Key, lb.versioning)
	return ignoreGone(err)
}

// expireNoncurrent deletes the noncurrent versions (newest first) that have
// been noncurrent for NoncurrentDays, beyond the NewerNoncurrentVersions
// newest. A version became noncurrent when the next newer one was written.
func (s *Service) expireNoncurrent(lb lifecycleBucket, r lifecycleRule, versions []blob.Info, newer time.Time, now time.Time) error {
	nc := r.NoncurrentVersionExpiration
	if nc == nil || nc.NoncurrentDays == nil {
		return nil
	}
	keep := 0
	if nc.NewerNoncurrentVersions != nil {
		keep = *nc.NewerNoncurrentVersions
	}
	for i, v := range versions {
		since := newer
		newer = v.LastModified
		if i < keep || now.Before(dueAfterDays(since, *nc.NoncurrentDays)) || !s.ruleMatches(lb, r, v) {
			continue
		}
		if _, err := s.blobs.DeleteVersion(lb.name, v.Key, v.VersionID); ignoreGone(err) != nil {
			return err
		}
	}
	return nil
}

func (s *Service) abortStaleUploads(bucket string, r lifecycleRule, now time.Time) error {
	a := r.AbortIncompleteMultipartUpload
	if a == nil || a.DaysAfterInitiation == nil {
		return nil
	}
	uploads, err := s.blobs.ListUploads(bucket, r.prefix())
	if err != nil {
		return ignoreGone(err)
	}
	for _, u := range uploads {
		if now.Before(dueAfterDays(u.Initiated, *a.DaysAfterInitiation)) {
			continue
		}
		err := s.blobs.AbortUpload(bucket, u.Key, u.UploadID)
		if err != nil && !errors.Is(err, blob.ErrNoSuchUpload) {
			return ignoreGone(err)
		}
	}
	return nil
}

// dueAfterDays is when an action "days after t" happens: S3 adds the days
// and rounds up to the next midnight UTC.
func dueAfterDays(t time.Time, days int) time.Time {
	due := t.UTC().Add(time.Duration(days) * 24 * time.Hour)
	midnight := due.Truncate(24 * time.Hour)
	if midnight.Before(due) {
		midnight = midnight.Add(24 * time.Hour)
	}
	return midnight
}

func ignoreGone(err error) error {
	if errors.Is(err, blob.ErrNoSuchBucket) || errors.Is(err, blob.ErrNoSuchKey) || errors.Is(err, blob.ErrNoSuchVersion) {
		return nil
	}
	return err
}

// ruleMatches applies r's filter to v, reading v's tags when the filter
// names tags (listings carry no tags).
func (s *Service) ruleMatches(lb lifecycleBucket, r lifecycleRule, v blob.Info) bool {
	if r.needsTags() {
		full, err := s.blobs.HeadVersion(lb.name, v.Key, v.VersionID)
		if err != nil {
			return false // gone, or unreadable: nothing to expire
		}
		v.Tags = full.Tags
	}
	return r.matches(v)
}

func (r *lifecycleRule) needsTags() bool {
	f := r.Filter
	return f != nil && (f.Tag != nil || (f.And != nil && len(f.And.Tags) > 0))
}

// prefix is the key prefix the rule's filter (or deprecated Prefix) names.
func (r *lifecycleRule) prefix() string {
	switch {
	case r.Prefix != nil:
		return *r.Prefix
	case r.Filter == nil:
		return ""
	case r.Filter.Prefix != nil:
		return *r.Filter.Prefix
	case r.Filter.And != nil && r.Filter.And.Prefix != nil:
		return *r.Filter.And.Prefix
	}
	return ""
}

// matches applies the rule's filter beyond the prefix: tags and sizes.
func (r *lifecycleRule) matches(v blob.Info) bool {
	if !strings.HasPrefix(v.Key, r.prefix()) {
		return false
	}
	f := r.Filter
	if f == nil {
		return true
	}
	if f.Tag != nil && v.Tags[f.Tag.Key] != f.Tag.Value {
		return false
	}
	if !sizeWithin(v.Size, f.ObjectSizeGreaterThan, f.ObjectSizeLessThan) {
		return false
	}
	if a := f.And; a != nil {
		for _, t := range a.Tags {
			if v.Tags[t.Key] != t.Value {
				return false
			}
		}
		return sizeWithin(v.Size, a.ObjectSizeGreaterThan, a.ObjectSizeLessThan)
	}
	return true
}

func sizeWithin(size int64, greater, less *int64) bool {
	return (greater == nil || size > *greater) && (less == nil || size < *less)
}

// currentExpired reports whether a current version modified at lm is past
// the rule's Expiration (Days after lm, or the Date).
func (r *lifecycleRule) currentExpired(lm, now time.Time) bool {
	e := r.Expiration
	switch {
	case e == nil:
		return false
	case e.Days != nil:
		return !now.Before(dueAfterDays(lm, *e.Days))
	case e.Date != nil:
		date, err := time.Parse(time.RFC3339, *e.Date)
		if err != nil {
			date, err = time.Parse("2006-01-02", *e.Date)
		}
		return err == nil && !now.Before(date)
	}
	return false
}

func (r *lifecycleRule) expiresDeleteMarkers() bool {
	e := r.Expiration
	return e != nil && e.ExpiredObjectDeleteMarker != nil && *e.ExpiredObjectDeleteMarker
}
