package dev.fanout.service;

import dev.fanout.execution.process.WorkerCommand;
import dev.fanout.worker.process.WorkerMain;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

import java.util.Arrays;

/**
 * The application's entry point. With the first argument {@code worker} it becomes a worker process of the pool
 * (before Quarkus starts: a worker never pays for the HTTP application); otherwise it starts the service. The same
 * packaged jar or native binary therefore serves both.
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
        Quarkus.run(args);
    }
}
