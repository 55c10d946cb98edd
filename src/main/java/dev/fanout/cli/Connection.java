package dev.fanout.cli;

import picocli.CommandLine.Help.Visibility;
import picocli.CommandLine.Option;

/** Where the service is and the key to it: options of every command, defaulting to the environment. */
final class Connection {
    @Option(names = "--url", paramLabel = "URL", defaultValue = "${env:FANOUT_URL:-http://localhost:8080}",
            description = "the service (default: $FANOUT_URL, else ${DEFAULT-VALUE})")
    String url;

    @Option(names = "--api-key", paramLabel = "KEY", defaultValue = "${env:FANOUT_API_KEY}",
            showDefaultValue = Visibility.NEVER, description = "sent as Authorization: Bearer KEY (default: $FANOUT_API_KEY)")
    String apiKey;

    ApiClient open() {
        return new ApiClient(url, apiKey);
    }
}
