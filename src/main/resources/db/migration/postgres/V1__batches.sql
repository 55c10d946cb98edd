-- fanout's store, schema 1 (PostgreSQL). Times are epoch milliseconds; JSON is kept as text (written and read
-- whole, never queried inside).
CREATE TABLE fanout_batches (
    id                  TEXT    PRIMARY KEY,
    state               TEXT    NOT NULL,           -- RUNNING, SUCCEEDED, FAILED, CANCELLED
    options             TEXT    NOT NULL,           -- the batch's options (JSON)
    total               INTEGER NOT NULL,
    running             INTEGER NOT NULL DEFAULT 0, -- as last reported by its owner
    succeeded           INTEGER NOT NULL DEFAULT 0, -- counts of the results stored
    failed              INTEGER NOT NULL DEFAULT 0,
    cancelled           INTEGER NOT NULL DEFAULT 0,
    created_at          BIGINT  NOT NULL,
    finished_at         BIGINT,
    stop_reason         TEXT,                       -- a cancel asked for: the rest of the batch ends CANCELLED
    stopped_by_client   BOOLEAN NOT NULL DEFAULT FALSE,
    idempotency_key     TEXT    UNIQUE,
    request_hash        TEXT,
    owner               TEXT,                       -- the instance running it, while RUNNING
    lease_until         BIGINT,                     -- until when the owner's claim holds without renewal
    max_seq             INTEGER NOT NULL DEFAULT 0  -- the last result's place in the completion order
);
CREATE INDEX fanout_batches_running ON fanout_batches (state, lease_until);
CREATE INDEX fanout_batches_created ON fanout_batches (created_at DESC, id DESC);

CREATE TABLE fanout_tasks (
    batch_id  TEXT    NOT NULL REFERENCES fanout_batches (id) ON DELETE CASCADE,
    idx       INTEGER NOT NULL,                     -- place in the batch (input order)
    task_id   TEXT    NOT NULL,
    function  TEXT    NOT NULL,
    input     TEXT    NOT NULL,                     -- JSON; kept for redrive
    attempts  INTEGER NOT NULL DEFAULT 0,           -- attempts started
    state     TEXT,                                 -- SUCCEEDED, FAILED, CANCELLED once it has its result
    seq       INTEGER,                              -- its result's place in the completion order
    result    TEXT,                                 -- the result (JSON)
    PRIMARY KEY (batch_id, idx)
);
CREATE INDEX fanout_tasks_seq ON fanout_tasks (batch_id, seq);
