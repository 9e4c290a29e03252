-- IAM OpenID Connect identity providers. Portable like 0001.
--
--   * arn is arn:aws:iam::ACCOUNT:oidc-provider/HOST/PATH, unique (AWS
--     allows one provider per URL in an account; the ARN is built from
--     the URL without its scheme).
--   * client_ids and thumbprints are JSON lists, in the order given.
--   * jwks is the provider's JSON Web Key Set ('' when the world gave
--     none): the public keys tokens are verified with, so no network is
--     needed.

CREATE TABLE oidc_providers (
    arn         TEXT PRIMARY KEY,
    account     TEXT NOT NULL,
    url         TEXT NOT NULL,
    client_ids  TEXT NOT NULL,
    thumbprints TEXT NOT NULL,
    jwks        TEXT NOT NULL,
    tags        TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX oidc_providers_account ON oidc_providers (account);
