package dev.fanout.functions.exec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fanout.core.Json;
import dev.fanout.spi.FunctionKind;
import dev.fanout.spi.InvalidInputException;
import dev.fanout.spi.Inputs;
import dev.fanout.spi.Settings;
import dev.fanout.spi.TaskContext;
import dev.fanout.spi.TaskFunction;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * Runs an allowlisted program as its own OS process, as GNU parallel runs a command per input: an argv array (no
 * shell), a fresh empty working directory, an environment of its own (PATH, HOME, TMPDIR, LANG and what the task
 * gives), stdin from the task, stdout and stderr kept up to {@code fanout.exec.max-output-bytes}. When the task is
 * stopped (taskTimeout, cancellation) or its own {@code timeout} passes, the process and its children are killed.
 * A non-zero exit is a FUNCTION_ERROR whose message has the exit code and the end of stderr.
 *
 * <p>Disabled until programs are allowlisted with {@code fanout.exec.allowed-commands} (absolute paths).
 */
public final class Exec implements TaskFunction {
    static final String ALLOWED = "fanout.exec.allowed-commands";
    static final String MAX_OUTPUT = "fanout.exec.max-output-bytes";
    private static final Set<String> FIELDS = Set.of("argv", "stdin", "env", "timeout");
    private static final Duration REAP_WAIT = Duration.ofSeconds(5);

    private Set<String> allowed = Set.of();
    private long maxOutput = 1024 * 1024;

    @Override
    public String name() {
        return "exec";
    }

    @Override
    public FunctionKind kind() {
        return FunctionKind.IO; // the work is in the child process; the task only waits for it
    }

    @Override
    public String description() {
        return "Runs an allowlisted program (input: argv, stdin, env, timeout) in a fresh directory; answers exitCode, "
                + "stdout, stderr. " + (allowed.isEmpty() ? "Disabled: no program is allowlisted "
                + "(fanout.exec.allowed-commands)." : "Allowed: " + String.join(", ", allowed) + ".");
    }

    @Override
    public JsonNode example() {
        ObjectNode example = Json.mapper().createObjectNode();
        example.putArray("argv").add("/usr/bin/wc").add("-w");
        return example.put("stdin", "to be or not to be");
    }

    @Override
    public void configure(Settings settings) {
        allowed = settings.get(ALLOWED).map(s -> Arrays.stream(s.split(",")).map(String::trim)
                .filter(c -> !c.isEmpty()).collect(Collectors.toUnmodifiableSet())).orElse(Set.of());
        maxOutput = settings.getLong(MAX_OUTPUT, maxOutput);
    }

    @Override
    public void validate(JsonNode input) throws InvalidInputException {
        ExecInput.parse(input, allowed);
    }

    @Override
    public JsonNode apply(JsonNode input, TaskContext context) throws Exception {
        ExecInput in = ExecInput.parse(input, allowed);
        Path dir = Files.createTempDirectory("fanout-exec-");
        Process process = null;
        try {
            ProcessBuilder builder = new ProcessBuilder(in.argv()).directory(dir.toFile());
            Map<String, String> env = builder.environment();
            env.clear(); // nothing of the service's environment (credentials, keys) reaches the program
            env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
            env.put("HOME", dir.toString());
            env.put("TMPDIR", dir.toString());
            env.put("LANG", "C.UTF-8");
            env.putAll(in.env());
            process = builder.start();
            CappedReader out = CappedReader.start(process.getInputStream(), maxOutput);
            CappedReader err = CappedReader.start(process.getErrorStream(), maxOutput);
            feed(process.getOutputStream(), in.stdin());
            boolean ended = in.timeout().isZero() ? waitFor(process) : process.waitFor(in.timeout().toMillis(),
                    TimeUnit.MILLISECONDS);
            if (!ended) {
                throw new IOException(in.argv().getFirst() + " was killed after its timeout of " + in.timeout());
            }
            int code = process.exitValue();
            String stdout = out.text();
            String stderr = err.text();
            if (code != 0) {
                throw new IOException(in.argv().getFirst() + " exited with code " + code
                        + (stderr.isBlank() ? "" : "; stderr ends: " + tail(stderr)));
            }
            ObjectNode result = Json.mapper().createObjectNode();
            result.put("exitCode", code);
            result.put("stdout", stdout);
            result.put("stderr", stderr);
            result.put("stdoutBytes", out.total());
            result.put("stderrBytes", err.total());
            result.put("truncated", out.total() > maxOutput || err.total() > maxOutput);
            return result;
        } finally {
            if (process != null) {
                killAndWait(process);
            }
            deleteTree(dir);
        }
    }

    /**
     * SIGKILLs the program and whatever it started, then waits until they are gone (at most {@link #REAP_WAIT}): a
     * kill is only sent, and a task's result must not come while its program still runs.
     */
    private static void killAndWait(Process process) {
        List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
        all.add(process.toHandle());
        all.forEach(ProcessHandle::destroyForcibly);
        long deadline = System.nanoTime() + REAP_WAIT.toNanos();
        boolean interrupted = false;
        for (ProcessHandle h : all) {
            try {
                h.onExit().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                interrupted = true; // the task was stopped meanwhile: still wait for the others, then say so
            } catch (ExecutionException | TimeoutException e) {
                // a process that outlives SIGKILL for seconds (uninterruptible IO): nothing more can be done here
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean waitFor(Process process) throws InterruptedException {
        process.waitFor();
        return true;
    }

    private static void feed(OutputStream stdin, String text) {
        Thread.ofVirtual().start(() -> {
            try (stdin) {
                if (text != null) {
                    stdin.write(text.getBytes(StandardCharsets.UTF_8));
                }
            } catch (IOException e) {
                // the program does not read its stdin, or exited: nothing to do
            }
        });
    }

    private static String tail(String s) {
        String t = s.strip();
        return t.length() > 500 ? "..." + t.substring(t.length() - 500) : t;
    }

    private static void deleteTree(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort: it is in the temporary directory
        }
    }

    /** The checked input. */
    record ExecInput(List<String> argv, String stdin, Map<String, String> env, Duration timeout) {
        static ExecInput parse(JsonNode input, Set<String> allowed) throws InvalidInputException {
            if (allowed.isEmpty()) {
                throw new InvalidInputException("exec is disabled on this service: allowlist programs with "
                        + ALLOWED + " (absolute paths, comma-separated)");
            }
            JsonNode obj = Inputs.object(input, FIELDS);
            JsonNode argvNode = obj.get("argv");
            if (argvNode == null || !argvNode.isArray() || argvNode.isEmpty()) {
                throw new InvalidInputException("input.argv: expected a non-empty array of strings, the program first");
            }
            List<String> argv = new ArrayList<>();
            for (JsonNode a : argvNode) {
                if (!a.isTextual() || a.textValue().indexOf('\0') >= 0) {
                    throw new InvalidInputException("input.argv: every element must be a string without NUL");
                }
                argv.add(a.textValue());
            }
            if (!allowed.contains(argv.getFirst())) {
                throw new InvalidInputException("input.argv[0]: '" + argv.getFirst() + "' is not allowlisted; allowed: "
                        + String.join(", ", allowed.stream().sorted().toList()));
            }
            Map<String, String> env = new LinkedHashMap<>();
            JsonNode envNode = obj.get("env");
            if (envNode != null && !envNode.isNull()) {
                if (!envNode.isObject()) {
                    throw new InvalidInputException("input.env: expected an object of NAME: value strings");
                }
                for (Iterator<Map.Entry<String, JsonNode>> it = envNode.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    if (!e.getKey().matches("[A-Za-z_][A-Za-z0-9_]*") || !e.getValue().isTextual()
                            || e.getValue().textValue().indexOf('\0') >= 0) {
                        throw new InvalidInputException("input.env." + e.getKey() + ": expected NAME: \"value\"");
                    }
                    env.put(e.getKey(), e.getValue().textValue());
                }
            }
            String stdin = obj.hasNonNull("stdin") ? Inputs.string(obj, "stdin", null) : null;
            Duration timeout = Inputs.duration(obj, "timeout", Duration.ofHours(1), Duration.ZERO);
            return new ExecInput(List.copyOf(argv), stdin, env, timeout);
        }
    }
}
