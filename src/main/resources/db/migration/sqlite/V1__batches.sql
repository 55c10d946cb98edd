-- fanout's store, schema 1 (SQLite). Times are epoch milliseconds; JSON is kept as text.
CREATE TABLE fanout_batches (
    id                  TEXT    PRIMARY KEY,
    state               TEXT    NOT NULL,           -- RUNNING, SUCCEEDED, FAILED, CANCELLED
    options             TEXT    NOT NULL,           -- the batch's options (JSON)
    total               INTEGER NOT NULL,
    running             INTEGER NOT NULL DEFAULT 0, -- as last reported by its owner
    succeeded           INTEGER NOT NULL DEFAULT 0, -- counts of the results stored
    failed              INTEGER NOT NULL DEFAULT 0,
    cancelled           INTEGER NOT NULL DEFAULT 0,
    created_at          INTEGER NOT NULL,
    finished_at         INTEGER,
    stop_reason         TEXT,                       -- a cancel asked for: the rest of the batch ends CANCELLED
    stopped_by_client   INTEGER NOT NULL DEFAULT 0,
    idempotency_key     TEXT    UNIQUE,
    request_hash        TEXT,
    owner               TEXT,                       -- the instance running it, while RUNNING
    lease_until         INTEGER,                    -- until when the owner's claim holds without renewal
    max_seq             INTEGER NOT NULL DEFAULT 0  -- the last result's place in the completion order
);
CREATE INDEX fanout_batches_running ON fanout_batches (state, lease_until);
CREATE INDEX fanout_batches_created ON fanout_batches (created_at DESC, id DESC);

-- written once, when the batch is accepted; never changed (a result or a start goes to the tables below, as appends)
CREATE TABLE fanout_tasks (
    batch_id  TEXT    NOT NULL REFERENCES fanout_batches (id) ON DELETE CASCADE,
    idx       INTEGER NOT NULL,                     -- place in the batch (input order)
    task_id   TEXT    NOT NULL,
    function  TEXT    NOT NULL,
    input     TEXT    NOT NULL,                     -- JSON; kept for redrive and for resuming
    PRIMARY KEY (batch_id, idx)
) WITHOUT ROWID;

-- one row per result: its place in the completion order (seq) is the key, and a task has at most one
CREATE TABLE fanout_results (
    batch_id  TEXT    NOT NULL REFERENCES fanout_batches (id) ON DELETE CASCADE,
    seq       INTEGER NOT NULL,                     -- the result's place in the completion order, from 1
    idx       INTEGER NOT NULL,                     -- its task
    state     TEXT    NOT NULL,                     -- SUCCEEDED, FAILED, CANCELLED
    result    TEXT    NOT NULL,                     -- the result (JSON)
    PRIMARY KEY (batch_id, seq),
    UNIQUE (batch_id, idx)
) WITHOUT ROWID;

-- attempts started, one row per batch, attempt number and group commit: a task that was running at a crash has run
CREATE TABLE fanout_starts (
    batch_id  TEXT    NOT NULL REFERENCES fanout_batches (id) ON DELETE CASCADE,
    attempt   INTEGER NOT NULL,                     -- or -n: a redrive ran these tasks again after n attempts
    indexes   TEXT    NOT NULL                      -- the tasks' indexes, comma-separated
);
CREATE INDEX fanout_starts_batch ON fanout_starts (batch_id);
