-- The decision log: every authorization decision, written in batches by
-- the audit package and pruned once older than the retention period.
-- Portable like 0001: TEXT and BIGINT only.
--
--   * A request's decisions are ordered by seq; (request_id, seq) is unique.
--   * decided_at is microseconds since the Unix epoch, UTC.
--   * decision is 'allowed' or how the request was denied; the partial
--     index serves `sekisho log --denied`, whose query repeats its condition.
--   * explanation is the JSON of the explanation, kept as TEXT (not BLOB or
--     BYTEA) so that both engines accept the same schema.

CREATE TABLE decisions (
    request_id  TEXT NOT NULL,
    seq         BIGINT NOT NULL,
    decided_at  BIGINT NOT NULL,
    principal   TEXT NOT NULL,
    action      TEXT NOT NULL,
    resource    TEXT NOT NULL,
    decision    TEXT NOT NULL,
    reason      TEXT NOT NULL,
    explanation TEXT NOT NULL,
    PRIMARY KEY (request_id, seq)
);
CREATE INDEX decisions_time ON decisions (decided_at);
CREATE INDEX decisions_denied ON decisions (decided_at) WHERE decision <> 'allowed';
