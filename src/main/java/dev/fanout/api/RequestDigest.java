package dev.fanout.api;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.TreeMap;

/**
 * A SHA-256 of a submission as the client sent it (body, media type, query options), taken while the body is read:
 * the same Idempotency-Key must come with the same request, and this tells.
 */
final class RequestDigest {
    private final MessageDigest digest;
    private final DigestInputStream stream;

    RequestDigest(InputStream body) {
        try {
            this.digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
        this.stream = new DigestInputStream(body, digest);
    }

    /** The body to read; what is read goes into the digest. */
    InputStream stream() {
        return stream;
    }

    /** The digest, once the body was read; {@code ?wait} is how the client waits, not what it asks for. */
    String finish(MediaType type, MultivaluedMap<String, String> query) {
        TreeMap<String, java.util.List<String>> options = new TreeMap<>(query);
        options.remove("wait");
        String rest = "\n" + (type == null ? "" : type.getType() + "/" + type.getSubtype()) + "\n" + options;
        digest.update(rest.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(digest.digest());
    }
}
