-- fanout's store, schema 3 (PostgreSQL): fencing by epoch. A batch's epoch grows with every claim of it and every
-- redrive; a run writes only while the batch runs at the epoch of its claim (see Store). Rows of schema 2 start at 1,
-- as new batches do: their next claim makes it 2, and a run from before the upgrade writes nothing after that.
ALTER TABLE fanout_batches ADD COLUMN epoch BIGINT NOT NULL DEFAULT 1;
