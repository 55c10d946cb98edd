/**
 * The default store, one SQLite file for one instance: {@code SqliteStore} holds the file's lock and runs the SQL store
 * of {@code store.jdbc} with {@code SqliteDialect} (writing transactions begun IMMEDIATE, inserts in JDBC batches,
 * claims without row locks, no notifications). It may import {@code store.jdbc}, the store's own records, the task
 * model of {@code dev.fanout.core}, JDBC and the SQLite driver ({@code org.sqlite}), never the engine
 * ({@code dev.fanout.execution}), the API, the service or Quarkus.
 */
package dev.fanout.store.sqlite;
