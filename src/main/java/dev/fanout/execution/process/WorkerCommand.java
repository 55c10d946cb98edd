package dev.fanout.execution.process;

import dev.fanout.worker.process.WorkerMain;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How to start a worker process, found from how this process was started:
 * <ul>
 *   <li>a native image starts itself again with the argument {@code worker};</li>
 *   <li>a packaged JVM app ({@code java -jar quarkus-run.jar}) starts {@code java <options> -jar quarkus-run.jar worker};</li>
 *   <li>anything else (dev mode, tests, an IDE) starts {@code java <options> -cp <this classpath> WorkerMain}.</li>
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
        if (classpath.endsWith("quarkus-run.jar") && !classpath.contains(java.io.File.pathSeparator)) {
            command.addAll(List.of("-jar", Path.of(classpath).toAbsolutePath().toString(), WORKER_ARGUMENT));
        } else {
            command.addAll(List.of("-cp", classpath, WorkerMain.class.getName()));
        }
        return List.copyOf(command);
    }
}
