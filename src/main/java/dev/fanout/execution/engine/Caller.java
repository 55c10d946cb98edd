package dev.fanout.execution.engine;

import dev.fanout.store.Scope;

/**
 * Who asks: the name of the API key a request carried, and what it may see. A submitter sees the batches of its name
 * only; an admin sees every batch. A key of the legacy list ({@code fanout.auth.api-keys}) also sees the batches
 * stored before keys had names (they belong to no name), as every key did then.
 */
public record Caller(String name, boolean admin, boolean legacy) {
    /** Every request when authentication is off: one name, which sees everything. */
    public static final Caller ANONYMOUS = new Caller("anonymous", true, true);

    /** Whether a batch of {@code tenant} (null: no name) is visible to this caller. */
    public boolean sees(String tenant) {
        return admin || name.equals(tenant) || (tenant == null && legacy);
    }

    /** The batches a list or count covers for this caller. */
    public Scope scope() {
        return admin ? Scope.ALL : new Scope(name, legacy);
    }
}
