package dev.fanout.functions.invoke;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.fanout.core.Json;
import dev.fanout.spi.TaskFailedException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;
import software.amazon.awssdk.services.lambda.model.TooManyRequestsException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** What Lambda's answer to an invocation means for the task: its output, a throttle, or a failure and its message. */
final class Answers {
    private static final int MAX_MESSAGE = 2000;
    private static final ObjectReader STRICT = Json.mapper().reader()
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private Answers() {
    }

    /**
     * The function's response as JSON (an empty one as null).
     *
     * @throws TaskFailedException for a function error, with its errorType and errorMessage, or a response that is not
     *                             JSON
     */
    static JsonNode output(InvokeInput in, InvokeResponse response) throws TaskFailedException {
        byte[] payload = response.payload() == null ? new byte[0] : response.payload().asByteArray();
        if (response.functionError() != null) {
            throw new TaskFailedException(cap(functionError(in, response.functionError(), payload)));
        }
        if (new String(payload, StandardCharsets.UTF_8).isBlank()) {
            return NullNode.instance;
        }
        try {
            return STRICT.readTree(payload);
        } catch (IOException e) {
            throw new TaskFailedException(cap(in.display() + " answered something that is not JSON: "
                    + new String(payload, StandardCharsets.UTF_8)));
        }
    }

    /** {@code order-check failed: java.lang.IllegalArgumentException: bad order 17}, from the runtime's error JSON. */
    private static String functionError(InvokeInput in, String header, byte[] payload) {
        try {
            JsonNode error = STRICT.readTree(payload);
            String type = error.path("errorType").asText("");
            String message = error.path("errorMessage").asText("");
            if (!type.isEmpty() || !message.isEmpty()) {
                return in.display() + " failed: " + (type.isEmpty() ? header : type)
                        + (message.isEmpty() ? "" : ": " + message);
            }
        } catch (IOException notJson) {
            // said as it came, below
        }
        return in.display() + " failed (" + header + "): " + new String(payload, StandardCharsets.UTF_8);
    }

    /** The SDK's failure, out of the future's wrappers. */
    static Throwable unwrap(Throwable e) {
        Throwable c = e;
        while ((c instanceof ExecutionException || c instanceof CompletionException) && c.getCause() != null) {
            c = c.getCause();
        }
        return c;
    }

    static boolean isThrottle(Throwable e) {
        return e instanceof TooManyRequestsException || e instanceof AwsServiceException s && s.statusCode() == 429;
    }

    /** The answer's Retry-After (seconds, as Lambda sends it), at most {@code max}; 0 when it has none. */
    static long retryAfterNanos(Throwable e, Duration max) {
        if (!(e instanceof AwsServiceException s) || s.awsErrorDetails() == null
                || s.awsErrorDetails().sdkHttpResponse() == null) {
            return 0;
        }
        return s.awsErrorDetails().sdkHttpResponse().firstMatchingHeader("Retry-After").map(v -> {
            try {
                return Math.min(Duration.ofSeconds(Math.max(0, Long.parseLong(v.trim()))).toNanos(), max.toNanos());
            } catch (NumberFormatException | ArithmeticException notSeconds) {
                return 0L;
            }
        }).orElse(0L);
    }

    /**
     * A failure that is no throttle: a missing function (named, with the region it was looked for in), another refusal
     * or a service error (its code, status and message), or no answer at all.
     *
     * @param region {@code fanout.lambda.region}, or null
     */
    static TaskFailedException failure(InvokeInput in, Throwable e, String region) {
        if (e instanceof AwsServiceException s) {
            String code = s.awsErrorDetails() != null && s.awsErrorDetails().errorCode() != null
                    ? s.awsErrorDetails().errorCode() : s.getClass().getSimpleName();
            String message = s.awsErrorDetails() != null && s.awsErrorDetails().errorMessage() != null
                    ? s.awsErrorDetails().errorMessage() : s.getMessage();
            if (s instanceof ResourceNotFoundException || s.statusCode() == 404) {
                String where = in.function().fullArn() ? "" : " in " + (region != null ? region
                        : "the SDK's default region");
                return new TaskFailedException(cap("no Lambda function '" + in.display() + "'" + where + " (" + code
                        + ": " + message + ")"));
            }
            return new TaskFailedException(cap("Lambda " + (s.statusCode() >= 500 ? "failed" : "refused")
                    + " to invoke '" + in.display() + "': " + code + " (HTTP " + s.statusCode() + "): " + message));
        }
        return new TaskFailedException(cap("cannot reach Lambda to invoke '" + in.display() + "': "
                + e.getClass().getSimpleName() + ": " + e.getMessage()), e);
    }

    private static String cap(String message) {
        return message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE - 3) + "..." : message;
    }
}
