package dev.fanout.store;

/**
 * Which batches a list or a count covers: every one ({@link #ALL}), or those of one API key name, with or without the
 * batches that belong to no name (stored before keys had names).
 */
public record Scope(String tenant, boolean unowned) {
    public static final Scope ALL = new Scope(null, true);

    public boolean all() {
        return tenant == null;
    }

    public boolean covers(String batchTenant) {
        return all() || tenant.equals(batchTenant) || (unowned && batchTenant == null);
    }
}
