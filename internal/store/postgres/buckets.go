package postgres

import "github.com/sekisho/sekisho/internal/store"

const bucketCols = "name, account, region, policy, ownership, created_at"

// CreateBucket creates a bucket; a name taken by any account gives
// store.ErrExists.
func (t *tx) CreateBucket(b store.Bucket) error {
	if err := required("create bucket", "name", b.Name, "account", b.Account); err != nil {
		return err
	}
	err := t.insert("INSERT INTO buckets ("+bucketCols+") VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
		b.Name, b.Account, b.Region, b.Policy, b.Ownership, t.stamp(b.CreatedAt))
	return wrapf(err, "bucket %q", b.Name)
}

// GetBucket returns the bucket with this name.
func (t *tx) GetBucket(name string) (store.Bucket, error) {
	b, err := scanBucket(t.row("SELECT "+bucketCols+" FROM buckets WHERE name = $1", name))
	return b, wrapf(err, "bucket %q", name)
}

// ListBuckets returns the account's buckets by name ("" lists every bucket).
func (t *tx) ListBuckets(account string) ([]store.Bucket, error) {
	q, args := "SELECT "+bucketCols+` FROM buckets WHERE account = $1 ORDER BY name COLLATE "C"`, []any{account}
	if account == "" {
		q, args = "SELECT "+bucketCols+` FROM buckets ORDER BY name COLLATE "C"`, nil
	}
	out, err := list(t, scanBucket, q, args...)
	return out, wrapf(err, "list buckets of %q", account)
}

// UpdateBucket sets the bucket's policy and ownership.
func (t *tx) UpdateBucket(b store.Bucket) error {
	n, err := t.exec("UPDATE buckets SET policy = $1, ownership = $2 WHERE name = $3", b.Policy, b.Ownership, b.Name)
	if err == nil && n == 0 {
		return notFound("bucket %q", b.Name)
	}
	return wrapf(err, "update bucket %q", b.Name)
}

// DeleteBucket deletes the bucket (its objects are not the store's).
func (t *tx) DeleteBucket(name string) error {
	n, err := t.exec("DELETE FROM buckets WHERE name = $1", name)
	if err == nil && n == 0 {
		return notFound("bucket %q", name)
	}
	return wrapf(err, "delete bucket %q", name)
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
func (t *tx) GetSetting(key string) (string, error) {
	var v string
	err := t.row("SELECT value FROM settings WHERE name = $1", key).Scan(&v)
	return v, wrapf(err, "setting %q", key)
}

// PutSetting creates or replaces a server setting. The value never
// appears in errors.
func (t *tx) PutSetting(key, value string) error {
	if err := required("put setting", "key", key); err != nil {
		return err
	}
	_, err := t.exec(`INSERT INTO settings (name, value) VALUES ($1, $2)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value`, key, value)
	return wrapf(err, "put setting %q", key)
}
