-- The initial schema. Portable between SQLite and PostgreSQL: TEXT, BIGINT,
-- INTEGER and BOOLEAN columns only, no engine-specific collations.
--
-- Conventions:
--   * IAM entities are keyed by their unique id (AIDA..., AGPA...), so renames
--     touch one row; child rows point at the id.
--   * name_key is the name lower-cased by the store: names are unique per
--     account and looked up case-insensitively through it.
--   * Times are microseconds since the Unix epoch, UTC; NULL means never.
--   * Tags are a JSON array of {"Key": ..., "Value": ...}.
--   * Inline policies and attachments belong to a user, group or role
--     (kind + entity_id); the store checks those references itself.

CREATE TABLE accounts (
    id         TEXT PRIMARY KEY,
    alias      TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX accounts_alias ON accounts (alias) WHERE alias <> '';

CREATE TABLE users (
    id         TEXT PRIMARY KEY,
    account    TEXT NOT NULL,
    name       TEXT NOT NULL,
    name_key   TEXT NOT NULL,
    path       TEXT NOT NULL,
    boundary   TEXT NOT NULL,
    tags       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (account, name_key)
);

-- user_id is NULL for the account root's keys.
CREATE TABLE access_keys (
    id         TEXT PRIMARY KEY,
    account    TEXT NOT NULL,
    user_id    TEXT REFERENCES users (id),
    secret     TEXT NOT NULL,
    active     BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    last_used  BIGINT
);
CREATE INDEX access_keys_user ON access_keys (user_id);
CREATE INDEX access_keys_account ON access_keys (account);

CREATE TABLE login_profiles (
    user_id        TEXT PRIMARY KEY REFERENCES users (id),
    password_hash  TEXT NOT NULL,
    reset_required BOOLEAN NOT NULL,
    created_at     BIGINT NOT NULL
);

-- "groups" is a keyword in both engines, hence the prefix.
CREATE TABLE iam_groups (
    id         TEXT PRIMARY KEY,
    account    TEXT NOT NULL,
    name       TEXT NOT NULL,
    name_key   TEXT NOT NULL,
    path       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (account, name_key)
);

CREATE TABLE group_members (
    group_id TEXT NOT NULL REFERENCES iam_groups (id),
    user_id  TEXT NOT NULL REFERENCES users (id),
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_user ON group_members (user_id);

CREATE TABLE roles (
    id           TEXT PRIMARY KEY,
    account      TEXT NOT NULL,
    name         TEXT NOT NULL,
    name_key     TEXT NOT NULL,
    path         TEXT NOT NULL,
    trust_policy TEXT NOT NULL,
    description  TEXT NOT NULL,
    max_session  INTEGER NOT NULL,
    boundary     TEXT NOT NULL,
    tags         TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    last_used    BIGINT,
    UNIQUE (account, name_key)
);

-- arn_key is the ARN lower-cased, for case-insensitive lookups.
CREATE TABLE policies (
    id              TEXT PRIMARY KEY,
    account         TEXT NOT NULL,
    name            TEXT NOT NULL,
    name_key        TEXT NOT NULL,
    path            TEXT NOT NULL,
    arn             TEXT NOT NULL,
    arn_key         TEXT NOT NULL UNIQUE,
    description     TEXT NOT NULL,
    default_version TEXT NOT NULL,
    tags            TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    UNIQUE (account, name_key)
);

-- version_num is the number in version_id (v7 -> 7), for ordering.
CREATE TABLE policy_versions (
    policy_id   TEXT NOT NULL REFERENCES policies (id),
    version_id  TEXT NOT NULL,
    version_num INTEGER NOT NULL,
    document    TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (policy_id, version_id)
);

-- kind is 'user', 'group' or 'role'; entity_id that entity's id.
CREATE TABLE inline_policies (
    kind      TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    name      TEXT NOT NULL,
    name_key  TEXT NOT NULL,
    document  TEXT NOT NULL,
    PRIMARY KEY (kind, entity_id, name_key)
);

CREATE TABLE attachments (
    kind      TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    policy_id TEXT NOT NULL REFERENCES policies (id),
    PRIMARY KEY (kind, entity_id, policy_id)
);
CREATE INDEX attachments_policy ON attachments (policy_id);

CREATE TABLE instance_profiles (
    id         TEXT PRIMARY KEY,
    account    TEXT NOT NULL,
    name       TEXT NOT NULL,
    name_key   TEXT NOT NULL,
    path       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (account, name_key)
);

CREATE TABLE instance_profile_roles (
    profile_id TEXT NOT NULL REFERENCES instance_profiles (id),
    role_id    TEXT NOT NULL REFERENCES roles (id),
    PRIMARY KEY (profile_id, role_id)
);
CREATE INDEX instance_profile_roles_role ON instance_profile_roles (role_id);

CREATE TABLE buckets (
    name       TEXT PRIMARY KEY,
    account    TEXT NOT NULL,
    region     TEXT NOT NULL,
    policy     TEXT NOT NULL,
    ownership  TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX buckets_account ON buckets (account, name);

CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
