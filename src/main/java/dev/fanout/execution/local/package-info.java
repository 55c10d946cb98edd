/**
 * Backends inside the service's own process: virtual threads (one per task, for IO functions) and a pool of platform
 * threads (CPU functions when isolation is not wanted: no kill, no memory limit of their own).
 *
 * It builds on {@code backend} and runs tasks with {@code runner.TaskRunner}; it never imports the engine or another
 * backend.
 */
package dev.fanout.execution.local;
