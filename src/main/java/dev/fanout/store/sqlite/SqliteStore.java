package dev.fanout.store.sqlite;

import dev.fanout.store.StoreException;
import dev.fanout.store.jdbc.JdbcStore;

import javax.sql.DataSource;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The default store: one SQLite file ({@code fanout.store.path}), for one instance. The instance holds a lock on
 * {@code <file>.lock} for as long as it runs, so a second instance on the same file stops at start instead of
 * running the same batches; with that lock held, every batch still RUNNING in the file was left by a previous run of
 * this instance and is taken over at once.
 */
public final class SqliteStore extends JdbcStore {
    private final FileChannel lockFile;
    private final FileLock lock;

    /** @param file the database file (its directory exists); locks it for this instance */
    public SqliteStore(DataSource dataSource, Path file) {
        super(dataSource, new SqliteDialect());
        Path lockPath = file.resolveSibling(file.getFileName() + ".lock");
        try {
            this.lockFile = FileChannel.open(lockPath, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            this.lock = lockFile.tryLock();
        } catch (IOException e) {
            throw new StoreException("cannot lock " + lockPath + ": " + e.getMessage(), e);
        }
        if (lock == null) {
            throw new StoreException("another fanout instance is using " + file.toAbsolutePath() + " (it holds "
                    + lockPath + "); a SQLite store serves one instance: stop the other one, or give this one its own "
                    + "fanout.store.path (several instances share a PostgreSQL store: fanout.store.kind=postgres)");
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            lockFile.close();
        } catch (IOException e) {
            // the process is going away: the lock goes with it
        }
    }
}
