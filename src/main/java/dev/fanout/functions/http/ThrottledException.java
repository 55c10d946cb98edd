package dev.fanout.functions.http;

import java.io.IOException;

/** The server answered 429 or 503: the attempt fails, and the task is tried again within its batch's retries. */
final class ThrottledException extends IOException {
    ThrottledException(String message) {
        super(message);
    }
}
