-- IAM SAML identity providers. Portable like 0001.
--
--   * arn is the provider's ARN as created; arn_key lower-cased for
--     case-insensitive lookups, name_key makes names unique per account.
--   * metadata is the SAML metadata document as uploaded (its signing
--     certificates are parsed from it when needed, never stored apart).
--   * valid_until is the metadata's expiry (microseconds), NULL if none.

CREATE TABLE saml_providers (
    arn         TEXT NOT NULL,
    arn_key     TEXT PRIMARY KEY,
    account     TEXT NOT NULL,
    name        TEXT NOT NULL,
    name_key    TEXT NOT NULL,
    uuid        TEXT NOT NULL,
    metadata    TEXT NOT NULL,
    valid_until BIGINT,
    tags        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    UNIQUE (account, name_key)
);
