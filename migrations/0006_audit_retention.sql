-- Up Migration
-- Audit events are kept for AUDIT_RETENTION_DAYS (src/audit/retention.ts): the periodic
-- deletion of the oldest finds them by time.
CREATE INDEX audit_events_created_at ON audit_events (created_at);
