package dev.fanout.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code fanout cancel ID}: DELETE /batches/{id}. */
@Command(name = "cancel", mixinStandardHelpOptions = true,
        description = "Cancels a batch: its pending and running tasks become CANCELLED. Prints its status.")
final class CancelCommand implements Callable<Integer> {
    @Mixin
    Connection connection;
    @Spec
    CommandSpec spec;
    @Parameters(index = "0", paramLabel = "ID")
    String id;

    @Override
    public Integer call() {
        try (ApiClient api = connection.open()) {
            Output.print(spec.commandLine().getOut(), api.delete("/batches/" + id));
            return ExitCodes.OK;
        }
    }
}
