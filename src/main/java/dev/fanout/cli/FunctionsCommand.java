package dev.fanout.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.Map;
import java.util.concurrent.Callable;

/** {@code fanout functions}: GET /functions. */
@Command(name = "functions", mixinStandardHelpOptions = true,
        description = "Lists the functions tasks can name, with their kind, description and an example input.")
final class FunctionsCommand implements Callable<Integer> {
    @Mixin
    Connection connection;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        try (ApiClient api = connection.open()) {
            Output.print(spec.commandLine().getOut(), api.get("/functions", Map.of()));
            return ExitCodes.OK;
        }
    }
}
