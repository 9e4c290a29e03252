-- Tags of instance profiles (CreateInstanceProfile's Tags,
-- TagInstanceProfile, ListInstanceProfileTags), kept as the other
-- entities' tags are: a JSON array. Portable like 0008.

ALTER TABLE instance_profiles ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
