/**
 * What the engine writes to and reads from the store: the {@code Journal} (one writer thread, group commits; a result
 * is visible once stored, a refused write means the batch was taken over) and the views of batches this instance does
 * not run ({@code StoredBatches}, {@code StoredView}: finished, or run by another instance, followed through the
 * store's news or by polling).
 *
 * It imports the store's interface, batch and core; never the engine (which listens to the journal through
 * {@code Journal.Listener}) or a backend.
 */
package dev.fanout.execution.durability;
