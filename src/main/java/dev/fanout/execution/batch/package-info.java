/**
 * A batch's state as this instance knows it: {@code Batch} (each task's progress, results in completion order,
 * counts, the moment results become visible), {@code BatchView} (what readers of any batch see, running here or only
 * in the store), the status and details records the API answers with, and statistics kept as results are stored.
 *
 * <pre>
 *  BatchRun: markDispatched/markRunning -> finish(result) -> Sink (the journal)
 *  journal commit -> published(upTo): visible counts and results move on -> readers woken -> ended(at)
 * </pre>
 *
 * It imports core and the store's records only: no engine, no backend, no framework.
 */
package dev.fanout.execution.batch;
