package com.example.functions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.fanout.spi.FunctionKind;
import dev.fanout.spi.Inputs;
import dev.fanout.spi.InvalidInputException;
import dev.fanout.spi.TaskContext;
import dev.fanout.spi.TaskFunction;

import java.util.Set;

/**
 * A CPU function: among the numbers from {@code from} to {@code to}, the one whose Collatz sequence takes the most
 * steps to reach 1. Runs on fanout's worker processes or Lambda, never on the service's virtual threads.
 */
public class Collatz implements TaskFunction {
    private static final long MAX_RANGE = 10_000_000;
    /** Far below where a sequence could leave a long (its peaks grow much faster than its start). */
    private static final long MAX_NUMBER = 1_000_000_000_000L;

    @Override
    public String name() {
        return "collatz";
    }

    @Override
    public FunctionKind kind() {
        return FunctionKind.CPU;
    }

    @Override
    public String description() {
        return "The number in [from, to] with the longest Collatz sequence, and its length in steps";
    }

    @Override
    public JsonNode example() {
        return JsonNodeFactory.instance.objectNode().put("from", 1).put("to", 1_000_000);
    }

    /** Runs when the batch is submitted: a bad range is a 400 at once, not a failed task later. */
    @Override
    public void validate(JsonNode input) throws InvalidInputException {
        range(input);
    }

    @Override
    public JsonNode apply(JsonNode input, TaskContext context) throws InvalidInputException {
        long[] range = range(input);
        long best = range[0];
        int bestSteps = -1;
        for (long n = range[0]; n <= range[1]; n++) {
            int steps = steps(n);
            if (steps > bestSteps) {
                best = n;
                bestSteps = steps;
            }
        }
        return JsonNodeFactory.instance.objectNode().put("number", best).put("steps", bestSteps);
    }

    /** @throws ArithmeticException when the sequence leaves the range of a long (fanout reports it as the failure) */
    static int steps(long n) {
        int steps = 0;
        while (n != 1) {
            n = (n & 1) == 0 ? n >>> 1 : Math.addExact(Math.multiplyExact(3, n), 1);
            steps++;
        }
        return steps;
    }

    private static long[] range(JsonNode input) throws InvalidInputException {
        JsonNode in = Inputs.object(input, Set.of("from", "to"));
        long from = Inputs.integer(in, "from", 1, MAX_NUMBER, 1L);
        long to = Inputs.integer(in, "to", 1, MAX_NUMBER, null);
        if (to < from || to - from >= MAX_RANGE) {
            throw new InvalidInputException("input: expected from <= to and at most " + MAX_RANGE
                    + " numbers, got from " + from + " to " + to);
        }
        return new long[] {from, to};
    }
}
