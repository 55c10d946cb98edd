package dev.fanout.spi;

import com.fasterxml.jackson.databind.cfg.PackageVersion;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.spi.ToolProvider;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * dev.fanout:fanout-spi is the dev.fanout.spi package cut from the service's classes, published with the POM of
 * src/spi: users compile against it alone, so the package may need nothing but the JDK, Jackson and itself.
 */
class SpiArtifactTest {
    private static final Path CLASSES = Path.of(TaskFunction.class.getProtectionDomain().getCodeSource().getLocation()
            .getPath());

    @Test
    void theSpiPackageNeedsOnlyTheJdkJacksonAndItself() {
        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        int status = jdeps.run(print, print, "-verbose:class", "-filter:none", "-include", "dev\\.fanout\\.spi\\..*",
                CLASSES.toString());
        String report = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, report);
        Matcher edge = Pattern.compile("^\\s+(dev\\.fanout\\.spi\\.\\S+)\\s+->\\s+(\\S+)", Pattern.MULTILINE)
                .matcher(report);
        int edges = 0;
        while (edge.find()) {
            edges++;
            String target = edge.group(2);
            assertTrue(List.of("java.", "com.fasterxml.jackson.", "dev.fanout.spi.").stream().anyMatch(target::startsWith),
                    edge.group(1) + " needs " + target + ", which fanout-spi does not hold");
        }
        assertTrue(edges > 10, "jdeps reported the package's dependencies: " + report);
    }

    @Test
    void thePublishedPomAsksForTheJacksonTheServiceRuns() throws Exception {
        String pom = Files.readString(Path.of("src/spi/pom.xml"));
        Matcher version = Pattern.compile("<artifactId>jackson-databind</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(pom);
        assertTrue(version.find(), "src/spi/pom.xml declares jackson-databind with a version");
        assertEquals(PackageVersion.VERSION.toString(), version.group(1),
                "fanout-spi must ask for the jackson-databind the service provides to functions");
    }
}
