package dev.fanout.spi;

/**
 * What a function may know about the call it serves.
 *
 * @param taskId   the task's id within its batch
 * @param attempt  1 for the first attempt, 2 for the first retry, ...
 * @param settings configuration for functions
 */
public record TaskContext(String taskId, int attempt, Settings settings) {
}
