package dev.fanout.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fanout.core.Json;
import dev.fanout.core.TaskResult;
import dev.fanout.core.TaskSpec;
import dev.fanout.runner.TaskRunner;
import dev.fanout.spi.Settings;
import dev.fanout.testing.jars.FakeSleep;
import dev.fanout.testing.jars.Greet;
import dev.fanout.testing.jars.JarBuilder;
import dev.fanout.testing.jars.OtherGreet;
import dev.fanout.testing.jars.Salutation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** fanout.functions.path: users' function jars beside the built-ins. */
class FunctionRegistryTest {
    @TempDir
    Path dir;

    private FunctionRegistry discover(String path) {
        return FunctionRegistry.discover(getClass().getClassLoader(), Settings.of(Map.of("fanout.functions.path", path)));
    }

    private Path greetJar() throws Exception {
        return JarBuilder.write(dir.resolve("functions/greet.jar"), List.of(Greet.class), List.of(Greet.class));
    }

    private Path salutationJar() throws Exception {
        return JarBuilder.write(dir.resolve("functions/salutation.jar"), List.of(Salutation.class), List.of());
    }

    @Test
    void aDirectoryOfJarsAddsItsFunctionsWithTheirJarAndTheyRunWithTheirDependencies() throws Exception {
        Path greet = greetJar();
        salutationJar();
        try (FunctionRegistry registry = discover(dir.resolve("functions").toString())) {
            FunctionRegistry.Registered r = registry.registered().stream()
                    .filter(f -> f.function().name().equals("greet")).findFirst().orElseThrow();
            assertEquals(greet.toString(), r.jar());
            assertNull(registry.registered().stream().filter(f -> f.function().name().equals("sleep")).findFirst()
                    .orElseThrow().jar(), "built-ins come from no jar");
            TaskResult result = new TaskRunner(registry, Settings.EMPTY).run(
                    new TaskSpec("t", "greet", Json.mapper().readTree("{\"name\": \"Ada\"}")), 1, "test");
            JsonNode out = result.output();
            assertEquals("Hello, Ada!", out.path("greeting").asText(), String.valueOf(result.error()));
            assertTrue(out.path("contextLoaderIsOwn").asBoolean(), "the function's jars are its context class loader");
        }
    }

    @Test
    void aJarsFunctionSeesTheSpiAndJacksonButNotTheHostsOtherClasses() throws Exception {
        greetJar();
        salutationJar();
        try (FunctionRegistry registry = discover(dir.resolve("functions").toString())) {
            JsonNode out = new TaskRunner(registry, Settings.EMPTY)
                    .run(new TaskSpec("t", "greet", null), 1, "test").output();
            assertFalse(out.path("seesHostLibraries").asBoolean(true), "the service's HTTP client stays the service's");
            assertFalse(out.path("seesHostClasses").asBoolean(true), "fanout's own classes stay fanout's");
        }
    }

    @Test
    void twoJarsWithAFunctionOfTheSameNameStopTheStartNamingBothJars() throws Exception {
        Path first = JarBuilder.write(dir.resolve("a.jar"), List.of(Greet.class, Salutation.class), List.of(Greet.class));
        Path second = JarBuilder.write(dir.resolve("b.jar"), List.of(OtherGreet.class), List.of(OtherGreet.class));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> discover(first + "," + second));
        assertTrue(e.getMessage().contains("two functions are named 'greet'"), e.getMessage());
        assertTrue(e.getMessage().contains(first.toString()) && e.getMessage().contains(second.toString()),
                e.getMessage());
    }

    @Test
    void twoVersionsOfOneJarStopTheStartRatherThanRunningTheFirstFound() throws Exception {
        Path old = JarBuilder.write(dir.resolve("lib/greet-1.0.jar"), List.of(Greet.class, Salutation.class),
                List.of(Greet.class));
        Path current = JarBuilder.write(dir.resolve("lib/greet-1.1.jar"), List.of(Greet.class, Salutation.class),
                List.of(Greet.class));
        String message = assertThrows(IllegalStateException.class, () -> discover(dir.resolve("lib").toString()))
                .getMessage();
        assertTrue(message.contains("the function class " + Greet.class.getName() + " is in two jars, " + old
                + " and " + current), message);
    }

    @Test
    void aJarFunctionNamedLikeABuiltInStopsTheStart() throws Exception {
        Path jar = JarBuilder.write(dir.resolve("sleepy.jar"), List.of(Greet.class, Salutation.class, FakeSleep.class),
                List.of(FakeSleep.class));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> discover(jar.toString()));
        assertTrue(e.getMessage().contains("two functions are named 'sleep': built-in (dev.fanout.functions.Sleep) and "
                + jar + " (" + FakeSleep.class.getName() + ")"), e.getMessage());
    }

    @Test
    void aPathThatHoldsNoFunctionIsRefusedWithWhatToFix() throws Exception {
        assertTrue(assertThrows(IllegalStateException.class, () -> discover(dir.resolve("nope.jar").toString()))
                .getMessage().contains("nope.jar does not exist"));
        Files.createDirectories(dir.resolve("empty"));
        assertTrue(assertThrows(IllegalStateException.class, () -> discover(dir.resolve("empty").toString()))
                .getMessage().contains("holds no .jar file"));
        Path noServiceFile = salutationJar();
        String message = assertThrows(IllegalStateException.class, () -> discover(noServiceFile.toString())).getMessage();
        assertTrue(message.contains("no function in " + noServiceFile)
                && message.contains("META-INF/services/dev.fanout.spi.TaskFunction"), message);
    }

    @Test
    void aFunctionThatCannotLoadIsNamedWithItsJar() throws Exception {
        Path jar = JarBuilder.write(dir.resolve("broken.jar"), List.of(Greet.class), List.of(OtherGreet.class));
        String message = assertThrows(IllegalStateException.class, () -> discover(jar.toString())).getMessage();
        assertTrue(message.contains("cannot load the functions of") && message.contains(jar.toString()), message);
    }

    @Test
    void aNativeBinaryRefusesThePathRatherThanIgnoringIt() throws Exception {
        Path jar = greetJar();
        System.setProperty("org.graalvm.nativeimage.imagecode", "runtime");
        try {
            String message = assertThrows(IllegalStateException.class, () -> discover(jar.toString())).getMessage();
            assertTrue(message.contains("a native binary cannot load jars at run time")
                    && message.contains("-Dnative -Dfanout.functions.path="), message);
        } finally {
            System.clearProperty("org.graalvm.nativeimage.imagecode");
        }
    }

    @Test
    void noPathMeansTheBuiltInsAlone() {
        try (FunctionRegistry registry = discover(" ")) {
            assertTrue(registry.registered().stream().allMatch(r -> r.jar() == null));
            assertTrue(registry.find("sleep").isPresent());
        }
    }
}
