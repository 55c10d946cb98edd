package dev.fanout.packaged;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A terminal for a test to run a command in and read as a user sees it: a tmux server of its own (its own socket,
 * in a directory of its own), sessions of 120x30, {@code capture-pane} for the screen. Closing it kills what runs in
 * its panes and the server, and deletes the socket: tmux leaves it behind when its server is killed.
 */
final class Tmux implements AutoCloseable {
    private final Path dir;
    private final Path socket;
    private final List<Long> panes = new ArrayList<>();

    Tmux() {
        try {
            dir = Files.createTempDirectory("fanout-tmux");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        socket = dir.resolve("socket");
    }

    /** Whether tmux is installed: the terminal tests need it. */
    static boolean available() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, "tmux"))) {
                return true;
            }
        }
        return false;
    }

    /** Starts {@code command} (run by the shell) in a new detached session named {@code session}. */
    void start(String session, Path directory, String command) {
        tmux("new-session", "-d", "-s", session, "-x", "120", "-y", "30", "-c", directory.toString(), command);
        panes.add(Long.parseLong(tmux("display-message", "-p", "-t", session, "#{pane_pid}").strip()));
    }

    /** What the session's screen shows now, trailing blanks of each line left out. */
    String screen(String session) {
        return tmux("capture-pane", "-p", "-t", session);
    }

    private String tmux(String... arguments) {
        List<String> command = new ArrayList<>(List.of("tmux", "-S", socket.toString()));
        command.addAll(List.of(arguments));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        for (long pid : panes) { // what the panes run first, so that nothing is left to a hang-up signal
            ProcessHandle.of(pid).ifPresent(shell -> {
                shell.descendants().forEach(ProcessHandle::destroyForcibly);
                shell.destroyForcibly();
            });
        }
        try {
            tmux("kill-server");
        } catch (IllegalStateException e) {
            // the server had already gone with its last session
        }
        try {
            Files.deleteIfExists(socket);
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
