-- Bucket configurations, one row per setting (encryption, tagging, cors,
-- lifecycle, ...), so that each S3 Put* writes only its own row inside a
-- transaction: two concurrent Put* of different settings on one bucket
-- cannot undo each other, as a write of the whole bucket row from a
-- cached copy could. Portable like 0001.
--
--   * bucket is buckets.name; the store deletes a bucket's settings with
--     the bucket, and refuses settings for a bucket that does not exist.
--   * name is the setting's name as the S3 service chooses it; value is
--     opaque to the store (the service keeps its XML document there).

CREATE TABLE bucket_settings (
    bucket TEXT NOT NULL,
    name   TEXT NOT NULL,
    value  TEXT NOT NULL,
    PRIMARY KEY (bucket, name)
);
