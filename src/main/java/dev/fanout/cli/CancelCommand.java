package dev.fanout.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

/** {@code fanout cancel ID}: DELETE /batches/{id}. */
@Command(name = "cancel", mixinStandardHelpOptions = true,
        description = "Cancels a batch: its pending and running tasks become CANCELLED. Prints its status.")
final class CancelCommand implements Callable<Integer> {
    @Mixin
    Connection connection;
    @Mixin
    BatchId batch;

    @Override
    public Integer call() {
        try (ApiClient api = connection.open()) {
            Output.print(connection.out(), api.delete(batch.path()));
            return ExitCodes.OK;
        }
    }
}
