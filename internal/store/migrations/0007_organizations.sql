-- AWS Organizations: one row per organization, the whole organization
-- (units, members, control policies, attachments, handshakes) as a JSON
-- document opaque to SQL, written whole by the Organizations API under a
-- revision check. Portable like 0001.
--
--   * management_account is unique: an account manages one organization.
--   * revision counts the writes; an update names the revision it read.

CREATE TABLE organizations (
    id                 TEXT PRIMARY KEY,
    management_account TEXT NOT NULL UNIQUE,
    revision           BIGINT NOT NULL,
    document           TEXT NOT NULL
);
