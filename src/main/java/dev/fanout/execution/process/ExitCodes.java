package dev.fanout.execution.process;

import java.util.Map;

/** Says how a process ended, the way a person reads it: {@code exited with code 137 (SIGKILL)}. */
final class ExitCodes {
    private static final Map<Integer, String> SIGNALS = Map.of(1, "SIGHUP", 2, "SIGINT", 3, "SIGQUIT", 4, "SIGILL",
            6, "SIGABRT", 7, "SIGBUS", 8, "SIGFPE", 9, "SIGKILL", 11, "SIGSEGV", 15, "SIGTERM");

    private ExitCodes() {
    }

    static String describe(int code) {
        if (code > 128 && code < 160) {
            // the JDK reports a death by signal n as 128 + n
            return "exited with code " + code + " (" + SIGNALS.getOrDefault(code - 128, "signal " + (code - 128)) + ")";
        }
        return "exited with code " + code;
    }
}
