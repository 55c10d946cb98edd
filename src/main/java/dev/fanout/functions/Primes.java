package dev.fanout.functions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.core.Json;
import dev.fanout.spi.FunctionKind;
import dev.fanout.spi.InvalidInputException;
import dev.fanout.spi.Inputs;
import dev.fanout.spi.TaskContext;
import dev.fanout.spi.TaskFunction;

import java.util.Set;

/**
 * Counts the primes below a limit by trial division: the reference CPU task. The algorithm is deliberately plain
 * (no sieve) so that its cost grows smoothly with the limit and is the same everywhere: about 0.5 s for a limit of
 * 3,000,000 on one core of the development machine.
 */
public final class Primes implements TaskFunction {
    static final long MAX_LIMIT = 1_000_000_000L;
    private static final Set<String> FIELDS = Set.of("limit");

    @Override
    public String name() {
        return "primes";
    }

    @Override
    public FunctionKind kind() {
        return FunctionKind.CPU;
    }

    @Override
    public String description() {
        return "Counts the primes below input.limit (0 to 1000000000) by trial division; answers {\"count\": n}.";
    }

    @Override
    public JsonNode example() {
        return Json.mapper().createObjectNode().put("limit", 1000);
    }

    @Override
    public void validate(JsonNode input) throws InvalidInputException {
        limit(input);
    }

    @Override
    public JsonNode apply(JsonNode input, TaskContext context) throws InterruptedException, InvalidInputException {
        return Json.mapper().createObjectNode().put("count", countBelow(limit(input)));
    }

    static long countBelow(long limit) throws InterruptedException {
        if (limit <= 2) {
            return 0;
        }
        long count = 1; // 2
        for (long n = 3; n < limit; n += 2) {
            if ((n & 0xFFFF) == 1 && Thread.interrupted()) {
                // lets the in-process thread pool stop a task; worker processes are killed instead
                throw new InterruptedException("primes interrupted at " + n);
            }
            if (isOddPrime(n)) {
                count++;
            }
        }
        return count;
    }

    private static boolean isOddPrime(long n) {
        for (long d = 3; d * d <= n; d += 2) {
            if (n % d == 0) {
                return false;
            }
        }
        return true;
    }

    private static long limit(JsonNode input) throws InvalidInputException {
        return Inputs.integer(Inputs.object(input, FIELDS), "limit", 0, MAX_LIMIT, null);
    }
}
