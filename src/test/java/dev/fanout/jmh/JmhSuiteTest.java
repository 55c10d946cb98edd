package dev.fanout.jmh;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keeps the JMH suite from rotting (issue 14): every benchmark runs once, briefly, in this JVM, on a small batch. It
 * measures nothing; it fails when a benchmark throws, scores nothing, or is missing from the list JMH runs from
 * (META-INF/BenchmarkList, written by the annotation processor while the tests compile). bench/jmh measures.
 */
class JmhSuiteTest {
    @Test
    void everyBenchmarkRunsAndScores() throws Exception {
        Set<String> listed = BenchmarkList.defaultList()
                .getAll(OutputFormatFactory.createFormatInstance(System.out, VerboseMode.SILENT), List.of()).stream()
                .map(BenchmarkListEntry::getUsername).collect(Collectors.toSet());
        assertEquals(annotatedBenchmarks(), listed, "every @Benchmark method is in META-INF/BenchmarkList");

        Options smoke = new OptionsBuilder()
                .forks(0) // in this JVM: a fork per benchmark would cost seconds each
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(200))
                .param("tasks", "200")
                .shouldFailOnError(true)
                .verbosity(VerboseMode.SILENT)
                .build();
        Map<String, Double> scores = new Runner(smoke).run().stream().collect(Collectors.toMap(
                r -> r.getParams().getBenchmark(), (RunResult r) -> r.getPrimaryResult().getScore()));
        assertEquals(listed, scores.keySet(), "every listed benchmark ran");
        scores.forEach((name, score) -> assertTrue(score > 0 && Double.isFinite(score), name + " scored " + score));
    }

    /**
     * The @Benchmark methods, declared or inherited, of the compiled test classes that JMH can run (public, not
     * abstract), as JMH names them (class.method).
     */
    private static Set<String> annotatedBenchmarks() throws IOException, URISyntaxException {
        Path root = Path.of(JmhSuiteTest.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Set<String> found = new HashSet<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                String name = root.relativize(file).toString().replace(file.getFileSystem().getSeparator(), ".");
                Class<?> c = load(name.substring(0, name.length() - ".class".length()));
                if (c == null || Modifier.isAbstract(c.getModifiers()) || !Modifier.isPublic(c.getModifiers())) {
                    continue;
                }
                Arrays.stream(c.getMethods()).filter(m -> m.isAnnotationPresent(Benchmark.class))
                        .map(Method::getName).forEach(m -> found.add(c.getName() + "." + m));
            }
        }
        assertFalse(found.isEmpty(), "no @Benchmark method found under " + root);
        return found;
    }

    /** The class, not initialised; null for JMH's generated code and for what cannot load here (nothing to run). */
    private static Class<?> load(String name) {
        if (name.contains(".jmh_generated.")) {
            return null;
        }
        try {
            Class<?> c = Class.forName(name, false, JmhSuiteTest.class.getClassLoader());
            c.getMethods(); // resolves the signatures' types
            return c;
        } catch (ClassNotFoundException | LinkageError e) {
            return null;
        }
    }
}
