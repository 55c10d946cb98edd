package dev.fanout.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.Map;
import java.util.concurrent.Callable;

/** {@code fanout functions}: GET /functions. */
@Command(name = "functions", mixinStandardHelpOptions = true,
        description = "Lists the functions tasks can name, with their kind, description and an example input.")
final class FunctionsCommand implements Callable<Integer> {
    @Mixin
    Connection connection;

    @Override
    public Integer call() {
        try (ApiClient api = connection.open()) {
            Output.print(connection.out(), api.get("/functions", Map.of()));
            return ExitCodes.OK;
        }
    }
}
