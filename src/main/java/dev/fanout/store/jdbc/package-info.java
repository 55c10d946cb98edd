/**
 * The SQL store SQLite and PostgreSQL share: {@link dev.fanout.store.jdbc.JdbcStore} implements the
 * {@link dev.fanout.store.Store} contract by handing each concern to a package-private class of its own (admission,
 * group commit, reads, leases, stops, redrive, expiry, each in one transaction), and asks a
 * {@link dev.fanout.store.jdbc.Dialect} for whatever the two databases do differently. It may import JDBC, Jackson,
 * the task model of {@code dev.fanout.core} and the store's own records, never the engine ({@code dev.fanout.execution}),
 * the API, the service, Quarkus or a database's driver (those belong to {@code store.sqlite} and {@code store.postgres}).
 */
package dev.fanout.store.jdbc;
