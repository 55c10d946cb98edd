package dev.fanout.functions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.core.Json;
import dev.fanout.spi.FunctionKind;
import dev.fanout.spi.InvalidInputException;
import dev.fanout.spi.Inputs;
import dev.fanout.spi.TaskContext;
import dev.fanout.spi.TaskFunction;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;

/** Iterated SHA-256: h1 = sha256(utf8(data)), h(k+1) = sha256(h(k)); answers the hex of the last digest. */
public final class Sha256 implements TaskFunction {
    static final long MAX_ROUNDS = 100_000_000L;
    private static final Set<String> FIELDS = Set.of("data", "rounds");

    @Override
    public String name() {
        return "sha256";
    }

    @Override
    public FunctionKind kind() {
        return FunctionKind.CPU;
    }

    @Override
    public String description() {
        return "Hashes input.data (a string) input.rounds times (default 1) with SHA-256; answers {\"hex\": ...}.";
    }

    @Override
    public JsonNode example() {
        return Json.mapper().createObjectNode().put("data", "hello").put("rounds", 1000);
    }

    @Override
    public void validate(JsonNode input) throws InvalidInputException {
        JsonNode obj = Inputs.object(input, FIELDS);
        Inputs.string(obj, "data", null);
        Inputs.integer(obj, "rounds", 1, MAX_ROUNDS, 1L);
    }

    @Override
    public JsonNode apply(JsonNode input, TaskContext context) throws InvalidInputException, InterruptedException {
        JsonNode obj = Inputs.object(input, FIELDS);
        byte[] digest = Inputs.string(obj, "data", null).getBytes(StandardCharsets.UTF_8);
        long rounds = Inputs.integer(obj, "rounds", 1, MAX_ROUNDS, 1L);
        MessageDigest sha = newDigest();
        for (long i = 0; i < rounds; i++) {
            if ((i & 0xFFFF) == 0xFFFF && Thread.interrupted()) {
                throw new InterruptedException("sha256 interrupted after " + i + " rounds");
            }
            digest = sha.digest(digest);
        }
        return Json.mapper().createObjectNode().put("hex", HexFormat.of().formatHex(digest));
    }

    /** A fresh SHA-256 digest (also used by the http function for response bodies). */
    public static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
