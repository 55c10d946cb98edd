-- fanout's store, schema 2 (PostgreSQL): a batch belongs to the name of the API key that submitted it, its
-- Idempotency-Key is unique per name, and quotas per name are checked against what is stored.
-- Only additions: rows of schema 1 keep tenant NULL (they belong to no name) and their key in idempotency_key, which
-- is no longer written (its UNIQUE constraint is global; dropping it in SQLite would mean rebuilding the table, whose
-- DROP would cascade to every task and result).
ALTER TABLE fanout_batches ADD COLUMN tenant TEXT;
ALTER TABLE fanout_batches ADD COLUMN tenant_idempotency_key TEXT;
-- what the batch reserves of its name's max-concurrency while RUNNING: min(maxConcurrency, tasks)
ALTER TABLE fanout_batches ADD COLUMN concurrency INTEGER NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX fanout_batches_tenant_key ON fanout_batches (tenant, tenant_idempotency_key);
CREATE INDEX fanout_batches_tenant_created ON fanout_batches (tenant, created_at DESC, id DESC);
CREATE INDEX fanout_batches_tenant_state ON fanout_batches (tenant, state);

-- tasks admitted per name (new batches and redrives), for max-tasks-per-minute; rows leave after a minute. Apart from
-- fanout_batches because batches are expired by count as well as by age: the window must not lose any.
CREATE TABLE fanout_admissions (
    tenant  TEXT    NOT NULL,
    at      BIGINT  NOT NULL,   -- epoch ms
    tasks   INTEGER NOT NULL
);
CREATE INDEX fanout_admissions_tenant_at ON fanout_admissions (tenant, at);
