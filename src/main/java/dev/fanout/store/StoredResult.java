package dev.fanout.store;

import dev.fanout.core.TaskResult;

/** A stored result with its place in the completion order ({@code seq}, from 1) and in the batch ({@code index}). */
public record StoredResult(int seq, int index, TaskResult result) {
}
