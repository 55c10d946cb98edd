/**
 * The store several instances share, one PostgreSQL database: {@code PostgresStore} runs the SQL store of
 * {@code store.jdbc} with {@code PostgresDialect} (an advisory lock per tenant, row locks, claims that skip locked
 * rows, arrays unnested in bulk, NOTIFY) and hears the other instances through its {@code Listener}. It may import
 * {@code store.jdbc}, the store's own records, the task model of {@code dev.fanout.core}, JDBC and the PostgreSQL
 * driver ({@code org.postgresql}), never the engine ({@code dev.fanout.execution}), the API, the service or Quarkus.
 */
package dev.fanout.store.postgres;
