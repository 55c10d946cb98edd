package dev.fanout.api;

import dev.fanout.api.problem.ProblemException;

/** The {@code Idempotency-Key} header: 1 to 255 visible ASCII characters (as the IETF draft suggests), or absent. */
final class IdempotencyKeys {
    static final int MAX_LENGTH = 255;

    private IdempotencyKeys() {
    }

    /** The key, or null without one; a malformed key is a 400 that says what a key may be. */
    static String check(String key) {
        if (key == null) {
            return null;
        }
        boolean visible = key.chars().allMatch(c -> c > 0x20 && c < 0x7f);
        if (key.isEmpty() || key.length() > MAX_LENGTH || !visible) {
            throw ProblemException.badRequest("invalid-idempotency-key", "Invalid Idempotency-Key",
                    "Idempotency-Key: expected 1 to " + MAX_LENGTH + " visible ASCII characters (a UUID is a good "
                            + "key), got " + (key.isEmpty() ? "an empty value" : key.length() + " characters"
                            + (visible ? "" : " with spaces or non-ASCII ones")));
        }
        return key;
    }
}
