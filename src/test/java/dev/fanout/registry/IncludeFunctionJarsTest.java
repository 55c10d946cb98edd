package dev.fanout.registry;

import dev.fanout.testing.jars.Greet;
import dev.fanout.testing.jars.JarBuilder;
import dev.fanout.testing.jars.Salutation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * native/IncludeFunctionJars.java, which a native build runs (-Dnative -Dfanout.functions.path=...) to build function
 * jars into the application: run here as the build runs it, with the JDK's source launcher, on a classes directory of
 * its own.
 */
class IncludeFunctionJarsTest {
    private static final String SERVICES = "META-INF/services/dev.fanout.spi.TaskFunction";
    private static final String BUILT_INS = "dev.fanout.functions.Sleep\ndev.fanout.functions.Noop\n";

    @TempDir
    Path dir;

    private record Run(int status, String output) {
    }

    private Run include(Path classes, String path, String... more) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                Path.of("native", "IncludeFunctionJars.java").toAbsolutePath().toString(), classes.toString(), path));
        command.addAll(List.of(more));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Run(p.exitValue(), out);
    }

    private Path classes() throws IOException {
        Path classes = dir.resolve("classes");
        Files.createDirectories(classes.resolve("META-INF/services"));
        Files.writeString(classes.resolve(SERVICES), BUILT_INS);
        Files.createDirectories(classes.resolve("dev/fanout/functions"));
        Files.writeString(classes.resolve("dev/fanout/functions/Sleep.class"), "the application's own");
        return classes;
    }

    private static List<String> files(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.map(p -> root.relativize(p).toString()).sorted().toList();
        }
    }

    @Test
    void includesTheFunctionsAndTheirDependenciesAndNamesTheirJarThenTakesThemOutAgain() throws Exception {
        Path classes = classes();
        List<String> before = files(classes);
        Path greet = JarBuilder.write(dir.resolve("jars/greet.jar"), List.of(Greet.class), List.of(Greet.class));
        JarBuilder.write(dir.resolve("jars/salutation.jar"), List.of(Salutation.class), List.of());

        Run run = include(classes, dir.resolve("jars").toString());
        assertEquals(0, run.status(), run.output());
        assertTrue(Files.exists(classes.resolve("dev/fanout/testing/jars/Greet.class")));
        assertTrue(Files.exists(classes.resolve("dev/fanout/testing/jars/Salutation.class")));
        assertEquals(List.of("dev.fanout.functions.Sleep", "dev.fanout.functions.Noop", Greet.class.getName()),
                Files.readAllLines(classes.resolve(SERVICES)).stream().filter(l -> !l.isBlank()).toList());
        try (URLClassLoaderHolder loader = new URLClassLoaderHolder(classes)) {
            assertEquals(Map.of(Greet.class.getName(), greet.toString()), FunctionJars.includedAtBuild(loader.loader));
        }
        String reflection = Files.readString(classes.resolve(
                "META-INF/native-image/dev.fanout/function-jars/reflect-config.json"));
        assertTrue(reflection.contains("\"" + Greet.class.getName() + "\"")
                && reflection.contains("\"" + Salutation.class.getName() + "\""), reflection);

        Run again = include(classes, "");
        assertEquals(0, again.status(), again.output());
        assertEquals(before, files(classes), "a build without jars leaves the classes as the compiler made them");
        assertEquals(BUILT_INS, Files.readString(classes.resolve(SERVICES)));
    }

    @Test
    void aJarCarryingFanoutsOwnClassesIsRefusedAndNothingIsLeftBehind() throws Exception {
        Path classes = classes();
        List<String> before = files(classes);
        Path shaded = JarBuilder.write(dir.resolve("shaded.jar"), List.of(Greet.class, Salutation.class,
                dev.fanout.spi.Settings.class), List.of(Greet.class));
        Run run = include(classes, shaded.toString());
        assertEquals(1, run.status(), run.output());
        assertTrue(run.output().contains("holds dev/fanout/spi/Settings.class: fanout and Jackson come with the service"),
                run.output());
        assertEquals(before, files(classes));
    }

    @Test
    void licencesStayBehindAndEveryServiceFileIsMergedAndTakenOutAgain() throws Exception {
        Path classes = classes();
        Files.writeString(classes.resolve("META-INF/services/java.sql.Driver"), "org.example.AppDriver\n");
        List<String> before = files(classes);
        Path greet = JarBuilder.write(dir.resolve("greet.jar"), List.of(Greet.class, Salutation.class),
                List.of(Greet.class), Map.of("META-INF/LICENSE.txt", "Apache-2.0",
                        "META-INF/services/java.sql.Driver", Salutation.class.getName() + "\n"));
        Path other = JarBuilder.write(dir.resolve("other.jar"), List.of(), List.of(),
                Map.of("META-INF/LICENSE.txt", "MIT"));
        Run run = include(classes, greet + "," + other);
        assertEquals(0, run.status(), run.output());
        assertFalse(Files.exists(classes.resolve("META-INF/LICENSE.txt")), "licences stay with their jars");
        assertEquals(List.of("org.example.AppDriver", Salutation.class.getName()), Files.readAllLines(
                classes.resolve("META-INF/services/java.sql.Driver")).stream().filter(l -> !l.isBlank()).toList());
        assertEquals(0, include(classes, "").status());
        assertEquals(before, files(classes));
        assertEquals("org.example.AppDriver\n", Files.readString(classes.resolve("META-INF/services/java.sql.Driver")));
    }

    @Test
    void aClassTheApplicationHasOnItsClasspathIsRefused() throws Exception {
        Path classes = classes();
        Path library = JarBuilder.write(dir.resolve("lib/salutation-2.0.jar"), List.of(Salutation.class), List.of());
        Path greet = JarBuilder.write(dir.resolve("greet.jar"), List.of(Greet.class, Salutation.class),
                List.of(Greet.class));
        Run run = include(classes, greet.toString(), "--classpath", library.toString());
        assertEquals(1, run.status(), run.output());
        assertTrue(run.output().contains("holds dev/fanout/testing/jars/Salutation.class, which the application has "
                + "already (in salutation-2.0.jar)"), run.output());
        assertFalse(Files.exists(classes.resolve("dev/fanout/testing")), "nothing is left behind");
    }

    @Test
    void aPathThatDoesNotExistStopsTheBuild() throws Exception {
        Run run = include(classes(), dir.resolve("missing.jar").toString());
        assertEquals(1, run.status());
        assertTrue(run.output().contains("missing.jar does not exist"), run.output());
        assertFalse(Files.exists(dir.resolve("classes/META-INF/fanout")));
    }

    /** A class loader over the classes directory, closed after use. */
    private static final class URLClassLoaderHolder implements AutoCloseable {
        final java.net.URLClassLoader loader;

        URLClassLoaderHolder(Path classes) throws Exception {
            loader = new java.net.URLClassLoader(new java.net.URL[] {classes.toUri().toURL()}, null);
        }

        @Override
        public void close() throws IOException {
            loader.close();
        }
    }
}
