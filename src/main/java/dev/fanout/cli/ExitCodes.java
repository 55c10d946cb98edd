package dev.fanout.cli;

import com.fasterxml.jackson.databind.JsonNode;

/** What scripts can rely on: 0 all well, 1 a batch with failed or cancelled tasks, 2 a usage or API error. */
final class ExitCodes {
    static final int OK = 0;
    static final int TASKS_FAILED = 1;
    static final int ERROR = 2;

    private ExitCodes() {
    }

    /** For a batch's status: 1 once it has failed or cancelled tasks or ended FAILED or CANCELLED, else 0. */
    static int forBatch(JsonNode status) {
        String state = status.path("state").asText();
        boolean unsuccessful = state.equals("FAILED") || state.equals("CANCELLED")
                || status.path("failed").asLong() > 0 || status.path("cancelled").asLong() > 0;
        return unsuccessful ? TASKS_FAILED : OK;
    }
}
