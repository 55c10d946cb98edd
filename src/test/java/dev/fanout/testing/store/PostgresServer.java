package dev.fanout.testing.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server for the tests, from the machine's PostgreSQL binaries (Debian's postgresql-15 here): a
 * fresh cluster in a temporary directory on a free loopback port, trusting local connections. PostgreSQL refuses to
 * run as root, so as root it runs as the {@code postgres} OS user. It dies with its owner: a watchdog next to it stops
 * it within a second of the test JVM's end, even a SIGKILL; {@link #close()} stops it at once and deletes the cluster.
 */
public final class PostgresServer implements AutoCloseable {
    public static final String USER = "fanout";
    public static final String DATABASE = "fanout";
    private static final String[] BIN_DIRS = {"/usr/lib/postgresql/17/bin", "/usr/lib/postgresql/16/bin",
            "/usr/lib/postgresql/15/bin"};

    private final Path bin;
    private final Path dir;
    private final int port;
    private final boolean asPostgres;
    private Process watchdog;

    private PostgresServer(Path bin, Path dir, int port, boolean asPostgres) {
        this.bin = bin;
        this.dir = dir;
        this.port = port;
        this.asPostgres = asPostgres;
    }

    private static PostgresServer shared;

    /** One server for the whole test JVM, started at first use and stopped when the JVM ends. */
    public static synchronized PostgresServer shared() {
        if (shared == null) {
            shared = start();
            PostgresServer s = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(s::close, "fanout-test-postgres-stop"));
        }
        return shared;
    }

    private static final java.util.concurrent.atomic.AtomicInteger DATABASES = new java.util.concurrent.atomic.AtomicInteger();

    /** A fresh database on the shared server, for one test. */
    public static String freshDatabase() {
        return shared().newDatabase("t" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet());
    }

    /** A new cluster, started, with an empty database {@value DATABASE} owned by {@value USER}. */
    public static PostgresServer start() {
        Path bin = Stream.of(BIN_DIRS).map(Path::of).filter(p -> Files.isExecutable(p.resolve("postgres")))
                .findFirst().orElseThrow(() -> new IllegalStateException("no PostgreSQL server binaries under "
                        + "/usr/lib/postgresql/*/bin: install postgresql (Debian: apt-get install postgresql-15)"));
        boolean root = "root".equals(System.getProperty("user.name"));
        try {
            Path dir = Files.createTempDirectory("fanout-pg-");
            if (root) {
                run(List.of("chown", "postgres", dir.toString()), Duration.ofSeconds(10));
            }
            PostgresServer server = new PostgresServer(bin, dir, freePort(), root);
            server.initdb();
            server.launch();
            server.createDatabase();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE;
    }

    public int port() {
        return port;
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), USER, "");
    }

    private List<String> as(List<String> command) {
        if (!asPostgres) {
            return command;
        }
        List<String> c = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
        c.addAll(command);
        return c;
    }

    private void initdb() {
        run(as(List.of(bin.resolve("initdb").toString(), "-D", data().toString(), "--auth=trust", "-U", USER,
                "-E", "UTF8", "--no-sync")), Duration.ofSeconds(60));
    }

    private Path data() {
        return dir.resolve("data");
    }

    /** Starts the server (again, after {@link #stop()}: same cluster, same port) and waits until it answers. */
    public synchronized void launch() {
        long owner = ProcessHandle.current().pid();
        // setpriv execs the server itself (runuser would stay its parent): the watchdog's signal reaches postgres
        List<String> server = List.of(bin.resolve("postgres").toString(), "-D", data().toString(),
                "-p", String.valueOf(port), "-k", dir.toString(), "-c", "listen_addresses=127.0.0.1",
                "-c", "max_connections=200");
        String postgres = String.join(" ", asPostgres ? concat(List.of("setpriv", "--reuid=postgres",
                "--regid=postgres", "--init-groups"), server) : server);
        // the watchdog: stops the server when told (TERM) or when the test JVM is gone, whichever comes first
        String script = postgres + " > " + dir.resolve("log") + " 2>&1 & pg=$!; "
                + "trap 'kill -INT $pg; wait $pg; exit 0' TERM; "
                + "while kill -0 " + owner + " 2>/dev/null && kill -0 $pg 2>/dev/null; do sleep 0.5; done; "
                + "kill -INT $pg 2>/dev/null; wait $pg";
        try {
            watchdog = new ProcessBuilder("sh", "-c", script).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", USER,
                    "")) {
                return;
            } catch (SQLException e) {
                if (System.nanoTime() > deadline || !watchdog.isAlive()) {
                    throw new IllegalStateException("PostgreSQL did not start: " + log(), e);
                }
                pause();
            }
        }
    }

    /**
     * SIGSTOPs the server and every process of it, as a database host that hangs (a paused VM, a stalled disk):
     * connections stay open and nothing answers until {@link #thaw()}.
     */
    public void freeze() {
        signal("-STOP");
    }

    /** SIGCONTs what {@link #freeze()} stopped. */
    public void thaw() {
        signal("-CONT");
    }

    private void signal(String signal) {
        try {
            long postmaster = Long.parseLong(Files.readAllLines(data().resolve("postmaster.pid")).getFirst().trim());
            List<String> command = new ArrayList<>(List.of("kill", signal, String.valueOf(postmaster)));
            ProcessHandle.of(postmaster).orElseThrow().descendants()
                    .forEach(p -> command.add(String.valueOf(p.pid())));
            run(command, Duration.ofSeconds(10));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops the server (a fast shutdown: clients are disconnected); {@link #launch()} starts it again. */
    public synchronized void stop() {
        if (watchdog != null && watchdog.isAlive()) {
            watchdog.destroy(); // TERM: the watchdog stops the server and waits for it
            try {
                watchdog.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private void createDatabase() {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", USER,
                "")) {
            c.createStatement().execute("CREATE DATABASE " + DATABASE);
        } catch (SQLException e) {
            throw new IllegalStateException("could not create the test database: " + e.getMessage(), e);
        }
    }

    /** A fresh, empty database for one test (dropped with the cluster). */
    public String newDatabase(String name) {
        try (Connection c = connect()) {
            c.createStatement().execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("could not create database " + name + ": " + e.getMessage(), e);
        }
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + name;
    }

    private String log() {
        try {
            return Files.readString(dir.resolve("log"));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        stop();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory: the system cleans it eventually
        }
    }

    private static void run(List<String> command, Duration timeout) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void pause() {
        try {
            Thread.sleep(100); // polling a server that is starting: there is nothing to wait on but its port
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
