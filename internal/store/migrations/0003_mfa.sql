-- Virtual MFA devices. Portable like 0001.
--
--   * serial is the device's ARN as created; serial_key lower-cased for
--     case-insensitive lookups. name_key makes names unique per account.
--   * seed is the TOTP seed in base32 (a secret, like access key secrets).
--   * user_id is the user the device is enabled for, NULL when unassigned;
--     enabled_at is set with it.
--   * last_step is the time step of the last code accepted: a code of that
--     step or an earlier one is refused, so no code is accepted twice. It is
--     only ever raised by a conditional UPDATE, atomic across replicas.

CREATE TABLE mfa_devices (
    serial     TEXT NOT NULL,
    serial_key TEXT PRIMARY KEY,
    account    TEXT NOT NULL,
    name       TEXT NOT NULL,
    name_key   TEXT NOT NULL,
    path       TEXT NOT NULL,
    seed       TEXT NOT NULL,
    user_id    TEXT REFERENCES users (id),
    enabled_at BIGINT,
    last_step  BIGINT NOT NULL,
    tags       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (account, name_key)
);
CREATE INDEX mfa_devices_user ON mfa_devices (user_id);
