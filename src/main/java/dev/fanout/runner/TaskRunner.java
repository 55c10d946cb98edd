package dev.fanout.runner;

import dev.fanout.core.ErrorType;
import dev.fanout.core.TaskResult;
import dev.fanout.core.TaskSpec;
import dev.fanout.registry.FunctionRegistry;
import dev.fanout.spi.InvalidInputException;
import dev.fanout.spi.Settings;
import dev.fanout.spi.TaskContext;
import dev.fanout.spi.TaskFailedException;
import dev.fanout.spi.TaskFunction;

import java.time.Instant;
import java.util.Optional;

/**
 * Runs one task in the calling thread and turns whatever happens into a {@link TaskResult}: the one place where a
 * function is called, shared by the in-process backends, the worker process and the Lambda handler.
 */
public final class TaskRunner {
    private final FunctionRegistry registry;
    private final Settings settings;

    public TaskRunner(FunctionRegistry registry, Settings settings) {
        this.registry = registry;
        this.settings = settings;
    }

    public FunctionRegistry registry() {
        return registry;
    }

    public TaskResult run(TaskSpec task, int attempt, String backend) {
        Instant startedAt = Instant.now();
        long start = System.nanoTime();
        Optional<TaskFunction> function = registry.find(task.function());
        if (function.isEmpty()) {
            return TaskResult.failed(task.id(), ErrorType.INVALID_INPUT, "unknown function '" + task.function()
                    + "'; known: " + registry.names(), attempt, backend, startedAt, 0);
        }
        Thread thread = Thread.currentThread();
        ClassLoader host = thread.getContextClassLoader();
        ClassLoader own = function.get().getClass().getClassLoader();
        try {
            // a function of fanout.functions.path sees its own jars as the context class loader, as libraries that
            // look classes up there (ServiceLoader.load(X), JAXB) expect
            if (own != host) {
                thread.setContextClassLoader(own);
            }
            var output = function.get().apply(task.input(), new TaskContext(task.id(), attempt, settings));
            return TaskResult.succeeded(task.id(), output, attempt, backend, startedAt, millisSince(start));
        } catch (InvalidInputException e) {
            return TaskResult.failed(task.id(), ErrorType.INVALID_INPUT, e.getMessage(), attempt, backend, startedAt,
                    millisSince(start));
        } catch (TaskFailedException e) {
            return TaskResult.failed(task.id(), ErrorType.FUNCTION_ERROR, e.getMessage(), attempt, backend, startedAt,
                    millisSince(start));
        } catch (InterruptedException e) {
            // whoever interrupted (timeout, cancel) has already reported the task; this result is dropped
            Thread.currentThread().interrupt();
            return TaskResult.failed(task.id(), ErrorType.CANCELLED, "interrupted", attempt, backend, startedAt,
                    millisSince(start));
        } catch (Throwable e) { // NOSONAR: a function's Error (StackOverflowError, OOM) is its failure, not ours
            return TaskResult.failed(task.id(), ErrorType.FUNCTION_ERROR, describe(e), attempt, backend, startedAt,
                    millisSince(start));
        } finally {
            if (own != host) {
                thread.setContextClassLoader(host);
            }
        }
    }

    /** {@code IllegalStateException: boom (at com.acme.Fn.apply(Fn.java:12))}: enough to find the line. */
    static String describe(Throwable e) {
        StringBuilder s = new StringBuilder(e.getClass().getName());
        if (e.getMessage() != null) {
            s.append(": ").append(e.getMessage());
        }
        StackTraceElement[] trace = e.getStackTrace();
        if (trace.length > 0) {
            s.append(" (at ").append(trace[0]).append(')');
        }
        if (e.getCause() != null && e.getCause() != e) {
            s.append("; caused by ").append(e.getCause().getClass().getName());
            if (e.getCause().getMessage() != null) {
                s.append(": ").append(e.getCause().getMessage());
            }
        }
        return s.length() > 2000 ? s.substring(0, 2000) : s.toString();
    }

    private static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
