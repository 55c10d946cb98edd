package dev.fanout.cli;

import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.UncheckedIOException;

/**
 * {@code fanout <command>}: the command-line client, run by the application's entry point before Quarkus starts. It
 * talks to the REST API like any user (JDK HttpClient, JSON), prints answers on stdout and progress and messages on
 * stderr, and exits 0 when all went well, 1 when a batch has failed or cancelled tasks, 2 on usage or API errors.
 */
@Command(name = "fanout", mixinStandardHelpOptions = true, version = "fanout client",
        description = "Submits and follows batches of a fanout service.",
        subcommands = {SubmitCommand.class, StatusCommand.class, ResultsCommand.class, CancelCommand.class,
                RedriveCommand.class, BatchesCommand.class, FunctionsCommand.class,
                AutoComplete.GenerateCompletion.class},
        footer = {"", "Environment: FANOUT_URL (default http://localhost:8080), FANOUT_API_KEY.",
                "Exit codes: 0 success, 1 tasks failed or were cancelled, 2 usage or API error."})
public final class FanoutCli implements Runnable {
    /** The first argument that makes the application this client. */
    public static final String ARGUMENT = "fanout";

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "name a command: submit, status, results, cancel, redrive, "
                + "batches, functions");
    }

    public static void main(String... args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with the exit codes of this client: API and I/O errors are 2, with their message only. */
    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new FanoutCli());
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.getSubcommands().get("generate-completion").getCommandSpec().usageMessage().hidden(false);
        cli.setExecutionExceptionHandler((e, commandLine, parsed) -> {
            String message = e instanceof ApiException || e instanceof UncheckedIOException
                    || e instanceof IllegalArgumentException || e instanceof java.io.IOException
                    ? e.getMessage() : e.toString();
            commandLine.getErr().println("fanout: " + message);
            commandLine.getErr().flush();
            return ExitCodes.ERROR;
        });
        cli.setExitCodeExceptionMapper(e -> ExitCodes.ERROR);
        return cli;
    }
}
