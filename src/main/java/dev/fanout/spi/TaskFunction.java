package dev.fanout.spi;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A function that tasks can call: the extension point of fanout.
 *
 * <p>Implementations are found with {@link java.util.ServiceLoader}: list the class in
 * {@code META-INF/services/dev.fanout.spi.TaskFunction} of its jar, and give the jar to the service with
 * {@code fanout.functions.path} (built against the {@code dev.fanout:fanout-spi} artifact, see
 * {@code examples/functions-quickstart}). That works the same in the service, in a worker process, in the Lambda
 * worker (the jar as a layer) and in a native image (the jar built in). An implementation needs a public no-argument constructor, must be
 * thread-safe (one instance serves every task) and must not depend on Quarkus: it runs in plain JVMs too.
 *
 * <p>IO functions should react to interruption (blocking JDK calls do): that is how timeouts and cancellation
 * stop them. CPU functions run in worker processes that are killed when they overrun, so they need not.
 */
public interface TaskFunction {

    /** The name tasks use, e.g. {@code "sleep"}. Lower case, stable: clients depend on it. */
    String name();

    FunctionKind kind();

    /** One sentence for {@code GET /functions}. */
    String description();

    /** An input that works, shown in {@code GET /functions}. */
    JsonNode example();

    /**
     * Called once, before any other call, with the host's settings (MicroProfile Config in the service and the
     * Lambda, environment variables in a worker process). The default ignores them.
     */
    default void configure(Settings settings) {
    }

    /**
     * Cheap structural check of an input, run when a batch is submitted so that a bad batch is refused at once
     * (HTTP 400) rather than failing task by task. Must not do IO. The default accepts everything.
     */
    default void validate(JsonNode input) throws InvalidInputException {
    }

    /**
     * Runs the task. A thrown {@link InvalidInputException} fails it with INVALID_INPUT; a
     * {@link TaskFailedException} with FUNCTION_ERROR and its message; any other exception or error with
     * FUNCTION_ERROR described by its class, message and line. FUNCTION_ERRORs are retried when the batch asks for
     * retries.
     *
     * @param input the task's input, JSON null when the task gave none
     * @return the output, any JSON value (null allowed)
     */
    JsonNode apply(JsonNode input, TaskContext context) throws Exception;
}
