package dev.fanout.testing.jars;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

/** Writes jars of test classes, as a user's build would: classes, and the service file listing the functions. */
public final class JarBuilder {
    private JarBuilder() {
    }

    /**
     * @param classes   copied into the jar from the tests' own classes
     * @param functions listed in its META-INF/services/dev.fanout.spi.TaskFunction (none: no service file)
     */
    public static Path write(Path jar, List<Class<?>> classes, List<Class<?>> functions) throws IOException {
        return write(jar, classes, functions, java.util.Map.of());
    }

    /** @param files more entries, by name: resources, licences, other service files */
    public static Path write(Path jar, List<Class<?>> classes, List<Class<?>> functions,
                             java.util.Map<String, String> files) throws IOException {
        Files.createDirectories(jar.getParent());
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            for (Class<?> c : classes) {
                String entry = c.getName().replace('.', '/') + ".class";
                out.putNextEntry(new JarEntry(entry));
                try (InputStream in = c.getClassLoader().getResourceAsStream(entry)) {
                    in.transferTo(out);
                }
            }
            for (var f : files.entrySet()) {
                out.putNextEntry(new JarEntry(f.getKey()));
                write(out, f.getValue());
            }
            if (!functions.isEmpty()) {
                out.putNextEntry(new JarEntry("META-INF/services/dev.fanout.spi.TaskFunction"));
                write(out, String.join("\n", functions.stream().map(Class::getName).toList()) + "\n");
            }
        }
        return jar;
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
    }
}
