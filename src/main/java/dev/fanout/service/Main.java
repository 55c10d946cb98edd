package dev.fanout.service;

import dev.fanout.cli.FanoutCli;
import dev.fanout.worker.process.WorkerCommand;
import dev.fanout.worker.process.WorkerMain;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

import java.util.Arrays;

/**
 * The application's entry point. With the first argument {@code worker} it becomes a worker process of the pool,
 * before Quarkus starts, so a worker never pays for the HTTP application; with {@code fanout} the command-line client
 * ({@code dev.fanout.cli}), which talks to a service over HTTP. Otherwise it starts the service. One packaged jar or
 * native binary serves all three; the Lambda worker is a build of its own ({@code -Dlambda}).
 */
@QuarkusMain
public final class Main {
    private Main() {
    }

    public static void main(String... args) throws Exception {
        if (args.length > 0 && args[0].equals(WorkerCommand.WORKER_ARGUMENT)) {
            WorkerMain.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (args.length > 0 && args[0].equals(FanoutCli.ARGUMENT)) {
            FanoutCli.main(Arrays.copyOfRange(args, 1, args.length)); // exits with the client's code
            return;
        }
        Quarkus.run(args);
    }
}
