package dev.fanout.cli;

import picocli.CommandLine.Help.Visibility;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;

/**
 * What every command shares, as a picocli mixin: where the service is and the key to it (options defaulting to the
 * environment), and the command's own stdout and stderr (picocli's, which tests replace).
 */
final class Connection {
    @Option(names = "--url", paramLabel = "URL", defaultValue = "${env:FANOUT_URL:-http://localhost:8080}",
            description = "the service (default: $FANOUT_URL, else ${DEFAULT-VALUE})")
    String url;

    @Option(names = "--api-key", paramLabel = "KEY", defaultValue = "${env:FANOUT_API_KEY}",
            showDefaultValue = Visibility.NEVER, description = "sent as Authorization: Bearer KEY (default: $FANOUT_API_KEY)")
    String apiKey;

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    ApiClient open() {
        return new ApiClient(url, apiKey);
    }

    PrintWriter out() {
        return command.commandLine().getOut();
    }

    PrintWriter err() {
        return command.commandLine().getErr();
    }
}
