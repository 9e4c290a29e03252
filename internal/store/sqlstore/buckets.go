package sqlstore

import "github.com/sekisho/sekisho/internal/store"

const bucketCols = "name, account, region, policy, ownership, created_at"

// CreateBucket creates a bucket; a name taken by any account gives
// store.ErrExists.
func (t *Tx) CreateBucket(b store.Bucket) error {
	if err := Required("create bucket", "name", b.Name, "account", b.Account); err != nil {
		return err
	}
	err := t.insert("INSERT INTO buckets ("+bucketCols+") VALUES (?, ?, ?, ?, ?, ?){DO NOTHING}",
		b.Name, b.Account, b.Region, b.Policy, b.Ownership, t.stamp(b.CreatedAt))
	return t.wrapf(err, "bucket %q", b.Name)
}

// GetBucket returns the bucket with this name.
func (t *Tx) GetBucket(name string) (store.Bucket, error) {
	b, err := scanBucket(t.row("SELECT "+bucketCols+" FROM buckets WHERE name = ?", name))
	return b, t.wrapf(err, "bucket %q", name)
}

// ListBuckets returns the account's buckets by name ("" lists every bucket).
func (t *Tx) ListBuckets(account string) ([]store.Bucket, error) {
	q, args := "SELECT "+bucketCols+` FROM buckets WHERE account = ? ORDER BY name{C}`, []any{account}
	if account == "" {
		q, args = "SELECT "+bucketCols+` FROM buckets ORDER BY name{C}`, nil
	}
	out, err := list(t, scanBucket, q, args...)
	return out, t.wrapf(err, "list buckets of %q", account)
}

// UpdateBucket sets the bucket's policy and ownership from b, which the
// caller read in this transaction.
func (t *Tx) UpdateBucket(b store.Bucket) error {
	n, err := t.exec("UPDATE buckets SET policy = ?, ownership = ? WHERE name = ?", b.Policy, b.Ownership, b.Name)
	if err == nil && n == 0 {
		return notFound("bucket %q", b.Name)
	}
	return t.wrapf(err, "update bucket %q", b.Name)
}

// SetBucketPolicy sets the bucket's policy ("" for none) and nothing else.
func (t *Tx) SetBucketPolicy(name, policy string) error {
	n, err := t.exec("UPDATE buckets SET policy = ? WHERE name = ?", policy, name)
	if err == nil && n == 0 {
		return notFound("bucket %q", name)
	}
	return t.wrapf(err, "set policy of bucket %q", name)
}

// SetBucketOwnership sets the bucket's object ownership and nothing else.
func (t *Tx) SetBucketOwnership(name, ownership string) error {
	if err := Required("set bucket ownership", "ownership", ownership); err != nil {
		return err
	}
	n, err := t.exec("UPDATE buckets SET ownership = ? WHERE name = ?", ownership, name)
	if err == nil && n == 0 {
		return notFound("bucket %q", name)
	}
	return t.wrapf(err, "set ownership of bucket %q", name)
}

// DeleteBucket deletes the bucket and its settings (its objects are not
// the store's).
func (t *Tx) DeleteBucket(name string) error {
	n, err := t.exec("DELETE FROM buckets WHERE name = ?", name)
	if err == nil && n == 0 {
		return notFound("bucket %q", name)
	}
	if err == nil {
		_, err = t.exec("DELETE FROM bucket_settings WHERE bucket = ?", name)
	}
	return t.wrapf(err, "delete bucket %q", name)
}

// PutBucketSetting creates or replaces one setting of an existing bucket,
// in one statement that touches no other row: the insert takes its
// bucket from the buckets table, so a missing bucket inserts nothing.
func (t *Tx) PutBucketSetting(bucket, name, value string) error {
	if err := Required("put bucket setting", "bucket", bucket, "name", name); err != nil {
		return err
	}
	n, err := t.exec(`INSERT INTO bucket_settings (bucket, name, value)
		SELECT name, ?, ? FROM buckets WHERE name = ?
		ON CONFLICT (bucket, name) DO UPDATE SET value = excluded.value`, name, value, bucket)
	if err == nil && n == 0 {
		return notFound("bucket %q", bucket)
	}
	return t.wrapf(err, "put setting %q of bucket %q", name, bucket)
}

// GetBucketSetting returns one setting of a bucket (store.ErrNotFound when
// it is unset, or the bucket does not exist).
func (t *Tx) GetBucketSetting(bucket, name string) (string, error) {
	var v string
	err := t.row("SELECT value FROM bucket_settings WHERE bucket = ? AND name = ?", bucket, name).Scan(&v)
	return v, t.wrapf(err, "setting %q of bucket %q", name, bucket)
}

// DeleteBucketSetting unsets one setting of a bucket.
func (t *Tx) DeleteBucketSetting(bucket, name string) error {
	n, err := t.exec("DELETE FROM bucket_settings WHERE bucket = ? AND name = ?", bucket, name)
	if err == nil && n == 0 {
		return notFound("setting %q of bucket %q", name, bucket)
	}
	return t.wrapf(err, "delete setting %q of bucket %q", name, bucket)
}

func scanBucket(r scanner) (store.Bucket, error) {
	var b store.Bucket
	var created int64
	if err := r.Scan(&b.Name, &b.Account, &b.Region, &b.Policy, &b.Ownership, &created); err != nil {
		return store.Bucket{}, err
	}
	b.CreatedAt = fromMicros(created)
	return b, nil
}

// GetSetting returns a server setting's value.
func (t *Tx) GetSetting(key string) (string, error) {
	var v string
	err := t.row("SELECT value FROM settings WHERE name = ?", key).Scan(&v)
	return v, t.wrapf(err, "setting %q", key)
}

// PutSetting creates or replaces a server setting. The value never
// appears in errors.
func (t *Tx) PutSetting(key, value string) error {
	if err := Required("put setting", "key", key); err != nil {
		return err
	}
	_, err := t.exec(`INSERT INTO settings (name, value) VALUES (?, ?)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value`, key, value)
	return t.wrapf(err, "put setting %q", key)
}
