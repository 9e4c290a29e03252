-- Last use of access keys and roles (IAM's GetAccessKeyLastUsed and
-- GetRole's RoleLastUsed): last_used existed since 0001; AWS also reports
-- the service and region of that use. Written in batches by the decision
-- log's writer (RecordUses), which does not move the store generation.
-- Portable like 0001: ALTER TABLE ... ADD COLUMN with a constant default.

ALTER TABLE access_keys ADD COLUMN last_used_service TEXT NOT NULL DEFAULT '';
ALTER TABLE access_keys ADD COLUMN last_used_region TEXT NOT NULL DEFAULT '';
ALTER TABLE roles ADD COLUMN last_used_region TEXT NOT NULL DEFAULT '';
-- A user's last console sign-in with its password (GetUser's PasswordLastUsed).
ALTER TABLE users ADD COLUMN password_last_used BIGINT;
