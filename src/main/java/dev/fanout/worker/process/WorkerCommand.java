package dev.fanout.worker.process;


import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * How to start a worker process, found from how this process was started:
 * <ul>
 *   <li>a native image starts itself again with the argument {@code worker};</li>
 *   <li>a packaged JVM app ({@code java -jar quarkus-run.jar}) starts {@code java <options> -jar quarkus-run.jar worker};</li>
 *   <li>anything else (dev mode, tests, an IDE) starts {@code java <options> -cp <classpath> WorkerMain}, the
 *   classpath being this JVM's plus every jar and directory the application's class loader sees (in dev mode the
 *   application is not on the JVM's classpath but loaded by Quarkus).</li>
 * </ul>
 * The {@code worker} argument is handled by the application's main class before Quarkus starts, so a worker never
 * pays for the HTTP application.
 */
public final class WorkerCommand {
    public static final String WORKER_ARGUMENT = "worker";

    private WorkerCommand() {
    }

    public static List<String> detect(List<String> jvmOptions) {
        if ("runtime".equals(System.getProperty("org.graalvm.nativeimage.imagecode"))) {
            String self = ProcessHandle.current().info().command()
                    .orElseThrow(() -> new IllegalStateException("cannot find this executable's path to start workers"));
            return List.of(self, WORKER_ARGUMENT);
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // the JVM's own messages (e.g. "Terminating due to java.lang.OutOfMemoryError") would corrupt the protocol
        command.add("-XX:+DisplayVMOutputToStderr");
        command.addAll(jvmOptions);
        String classpath = System.getProperty("java.class.path");
        if (classpath.endsWith("quarkus-run.jar") && !classpath.contains(File.pathSeparator)) {
            command.addAll(List.of("-jar", Path.of(classpath).toAbsolutePath().toString(), WORKER_ARGUMENT));
        } else {
            command.addAll(List.of("-cp", applicationClasspath(classpath), WorkerMain.class.getName()));
        }
        return List.copyOf(command);
    }

    private static String applicationClasspath(String jvmClasspath) {
        Set<String> entries = new LinkedHashSet<>(List.of(jvmClasspath.split(File.pathSeparator)));
        entries.remove(""); // an empty entry means the working directory, which is no part of the application
        try {
            entries.add(Path.of(WorkerMain.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                    .toString());
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            for (String marker : List.of("META-INF/MANIFEST.MF", "META-INF/services/dev.fanout.spi.TaskFunction")) {
                for (URL url : Collections.list(loader.getResources(marker))) {
                    root(url, marker).ifPresent(entries::add);
                }
            }
        } catch (IOException | URISyntaxException | RuntimeException e) {
            // the JVM's classpath alone then; a worker that cannot start is reported with its error
        }
        return String.join(File.pathSeparator, entries);
    }

    /** {@code jar:file:/a/b.jar!/META-INF/x} -> {@code /a/b.jar}; {@code file:/a/classes/META-INF/x} -> {@code /a/classes}. */
    private static Optional<String> root(URL url, String marker) throws URISyntaxException {
        String s = url.toString();
        if (s.startsWith("jar:file:") && s.contains("!/")) {
            return Optional.of(Path.of(new URI(s.substring(4, s.indexOf("!/")))).toString());
        }
        if (s.startsWith("file:") && s.endsWith(marker)) {
            return Optional.of(Path.of(new URI(s.substring(0, s.length() - marker.length()))).toString());
        }
        return Optional.empty();
    }
}
