package dev.fanout.packaged;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The packaged application the packaged tests run: the native binary when the native build made one (the hosted
 * CI's native job sets {@code native.image.path}), the jar otherwise.
 */
final class Artifact {
    private Artifact() {
    }

    /** Whether the packaged tests run the native binary. */
    static boolean isNative() {
        String nativeImage = System.getProperty("native.image.path");
        return nativeImage != null && Files.isExecutable(Path.of(nativeImage));
    }

    /** @param properties {@code -Dkey=value} options, placed where each kind of artifact reads them */
    static List<String> command(List<String> properties, String... arguments) {
        return command(isNative(), properties, arguments);
    }

    /** The jar's command line, also where the tests run the native binary (to compare the two). */
    static List<String> jarCommand(List<String> properties, String... arguments) {
        return command(false, properties, arguments);
    }

    private static List<String> command(boolean nativeBinary, List<String> properties, String... arguments) {
        List<String> command = new ArrayList<>();
        if (nativeBinary) {
            command.add(Path.of(System.getProperty("native.image.path")).toAbsolutePath().toString());
            command.addAll(properties);
        } else {
            Path jar = Path.of("target", "quarkus-app", "quarkus-run.jar");
            if (!Files.exists(jar)) {
                throw new IllegalStateException("package the app first: " + jar.toAbsolutePath());
            }
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(properties);
            command.addAll(List.of("-jar", jar.toAbsolutePath().toString()));
        }
        command.addAll(List.of(arguments));
        return command;
    }
}
