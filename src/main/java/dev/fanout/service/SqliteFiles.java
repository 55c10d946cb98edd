package dev.fanout.service;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** Looks at a SQLite store's file before anything opens it: a file that is not one stops the service untouched. */
final class SqliteFiles {
    /** Every SQLite database file starts with these 16 bytes. */
    private static final byte[] HEADER = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);

    private SqliteFiles() {
    }

    static void check(Path file) {
        if (!Files.exists(file) || size(file) == 0) {
            return; // a new store
        }
        if (!Files.isReadable(file) || !Files.isWritable(file)) {
            throw new IllegalStateException("the SQLite store " + file + " cannot be read and written by this "
                    + "process: give it access (or point fanout.store.path elsewhere); the file was not changed");
        }
        byte[] start = new byte[HEADER.length];
        try (InputStream in = Files.newInputStream(file)) {
            int n = in.readNBytes(start, 0, start.length);
            if (n < HEADER.length || !Arrays.equals(start, HEADER)) {
                throw new IllegalStateException("the SQLite store " + file + " is not a SQLite database (corrupt, or "
                        + "another kind of file): move it away to start with an empty store, or restore it from a "
                        + "backup; it was not changed");
            }
        } catch (IOException e) {
            throw new IllegalStateException("the SQLite store " + file + " cannot be read: " + e.getMessage()
                    + "; it was not changed", e);
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return -1;
        }
    }
}
