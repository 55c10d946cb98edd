package dev.fanout.protocol;

/**
 * Facts both sides of the worker protocol rely on: the service (process pool, Lambda invoker) and the workers (process
 * worker, Lambda worker) may be deployed at different versions, so whatever one side signals to the other lives here.
 */
public final class Protocol {
    /**
     * Exit status of a Lambda sandbox that retires itself (EX_TEMPFAIL) before touching a chunk, right after answering
     * the invocation with {@link #SANDBOX_RETIRED}. Alone it proves nothing (a task may exit with 75 too).
     */
    public static final int RECYCLE_EXIT_STATUS = 75;

    /**
     * Function error type of an invocation a Lambda sandbox refused before touching its chunk, because it retires
     * itself: the invoker sends that chunk again without counting an attempt. No task can produce it: a task's failure
     * is a result inside a normal answer.
     */
    public static final String SANDBOX_RETIRED = "Fanout.SandboxRetired";

    /**
     * The version of the worker protocol this build speaks: the frames of process workers, the Lambda event and answer.
     * Version 1 is the protocol before it carried a version (a message without one is version 1). A side that receives a
     * newer version than its own cannot know what it would be missing and refuses the work with one clear error naming
     * both versions ({@link #mismatch}); an older version is served, since every version so far only added fields, and
     * readers ignore fields they do not know.
     */
    public static final int VERSION = 2;

    private Protocol() {
    }

    /** The version a message carries; null (a sender older than versioning) is version 1. */
    public static int of(Integer version) {
        return version == null ? 1 : version;
    }

    /** True when this build can serve a message of {@code version}. */
    public static boolean serves(Integer version) {
        int v = of(version);
        return v >= 1 && v <= VERSION;
    }

    /** Why {@code who} cannot serve a message of {@code theirs}: names both versions and what to do. */
    public static String mismatch(String who, int ours, int theirs) {
        return who + " speaks fanout worker protocol " + ours + " but was sent protocol " + theirs
                + ": deploy the service and its workers from the same fanout release";
    }
}
