package dev.fanout.spi;

/** Decides where a function runs: IO functions on virtual threads, CPU functions on a CPU backend. */
public enum FunctionKind {
    /** Mostly waits (network, timers): one virtual thread per task, tens of thousands at once. */
    IO,
    /** Mostly computes: as many at once as there are cores, in worker processes or Lambda invocations. */
    CPU
}
