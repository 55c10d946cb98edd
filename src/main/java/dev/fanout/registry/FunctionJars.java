package dev.fanout.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * The users' function jars of {@value #PATH_KEY}: comma-separated jar files or directories of jars (each directory's
 * {@code *.jar}, not its subdirectories), all in one class loader so that a function jar and the jars it depends on
 * can be given side by side.
 *
 * <p>The loader sees the host's classes only for the SPI ({@code dev.fanout.spi}) and Jackson's core, databind and
 * annotations, which the functions' signatures share with the host; everything else comes from the JDK or the jars. A function jar may so bring any
 * version of any library (its own HTTP client, its own Guava) without meeting the service's, and a function that works
 * in the service works alike in a worker process and in the Lambda worker, which load it the same way.
 */
final class FunctionJars implements AutoCloseable {
    static final String PATH_KEY = "fanout.functions.path";
    /**
     * Written by the native build's inclusion of function jars ({@code native/IncludeFunctionJars.java}): which jar each
     * class came from, so that {@code GET /functions} still names it.
     */
    static final String INCLUDED_AT_BUILD = "META-INF/fanout/function-jars.properties";
    static final String SERVICE_FILE = "META-INF/services/dev.fanout.spi.TaskFunction";
    /**
     * Packages the functions share with the host: the SPI and the JSON types its signatures use (Jackson's core,
     * databind and annotations). Jackson's modules (YAML, CSV, Joda...) are not shared: the service and the Lambda
     * worker hold different ones, so a function brings those it uses.
     */
    private static final List<String> SHARED = List.of("dev.fanout.spi.", "com.fasterxml.jackson.core.",
            "com.fasterxml.jackson.databind.", "com.fasterxml.jackson.annotation.");

    private final String path;
    private final List<Path> jars;
    private final URLClassLoader loader;

    private FunctionJars(String path, List<Path> jars, URLClassLoader loader) {
        this.path = path;
        this.jars = jars;
        this.loader = loader;
    }

    /**
     * @param path the setting's value; blank for none
     * @throws IllegalStateException naming what to fix: a missing file, a directory without jars, or any path at all
     *                               in a native binary (which cannot load classes at run time)
     */
    static FunctionJars open(String path) {
        List<Path> jars = new ArrayList<>();
        for (String entry : path.split(",")) {
            if (!entry.isBlank()) {
                jars.addAll(jarsOf(Path.of(entry.trim()).toAbsolutePath().normalize()));
            }
        }
        if (!jars.isEmpty() && "runtime".equals(System.getProperty("org.graalvm.nativeimage.imagecode"))) {
            throw new IllegalStateException(PATH_KEY + " is set (" + path + "), but a native binary cannot load jars at "
                    + "run time: build the jars into the binary instead (./mvnw package -Dnative -D" + PATH_KEY
                    + "=...), or run the JVM service (java -jar target/quarkus-app/quarkus-run.jar)");
        }
        URL[] urls = new URL[jars.size()];
        for (int i = 0; i < urls.length; i++) {
            try {
                urls[i] = jars.get(i).toUri().toURL();
            } catch (MalformedURLException e) {
                throw new IllegalStateException(PATH_KEY + ": " + jars.get(i) + " is not a usable path", e);
            }
        }
        return new FunctionJars(path, List.copyOf(jars), new IsolatingLoader(urls, FunctionJars.class.getClassLoader()));
    }

    private static List<Path> jarsOf(Path entry) {
        if (Files.isDirectory(entry)) {
            try (Stream<Path> files = Files.list(entry)) {
                List<Path> jars = files.filter(f -> f.getFileName().toString().endsWith(".jar") && Files.isRegularFile(f))
                        .sorted().toList();
                if (jars.isEmpty()) {
                    throw new IllegalStateException(PATH_KEY + ": the directory " + entry + " holds no .jar file");
                }
                return jars;
            } catch (IOException e) {
                throw new IllegalStateException(PATH_KEY + ": cannot list " + entry + ": " + e.getMessage(), e);
            }
        }
        if (!Files.isRegularFile(entry)) {
            throw new IllegalStateException(PATH_KEY + ": " + entry + " does not exist (give jar files or "
                    + "directories of jars, comma-separated)");
        }
        if (!Files.isReadable(entry)) {
            throw new IllegalStateException(PATH_KEY + ": " + entry + " cannot be read by this process");
        }
        return List.of(entry);
    }

    ClassLoader loader() {
        return loader;
    }

    /**
     * Refuses a function class listed by two jars: the class loader would take the first jar's and ignore the other
     * (two versions of one jar in a directory would run the older one, silently).
     */
    void requireOneJarPerFunctionClass() {
        Map<String, String> jarOfClass = new HashMap<>();
        try {
            for (URL url : Collections.list(loader.findResources(SERVICE_FILE))) {
                String jar = url.toString();
                try (InputStream in = url.openStream()) {
                    for (String name : providers(new String(in.readAllBytes(), StandardCharsets.UTF_8))) {
                        String previous = jarOfClass.putIfAbsent(name, jar);
                        if (previous != null && !previous.equals(jar)) {
                            throw new IllegalStateException(PATH_KEY + ": the function class " + name + " is in two "
                                    + "jars, " + jarPath(previous) + " and " + jarPath(jar) + " (two versions of one "
                                    + "jar?); give only one of them");
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(PATH_KEY + ": cannot read " + describe() + ": " + e.getMessage(), e);
        }
    }

    /** The class names a service file lists: one a line, {@code #} starting a comment. */
    static List<String> providers(String serviceFile) {
        List<String> names = new ArrayList<>();
        for (String line : serviceFile.split("\n")) {
            String name = line.replaceAll("#.*", "").trim();
            if (!name.isEmpty()) {
                names.add(name);
            }
        }
        return names;
    }

    /** Whether no jar was given: there is nothing to look for in {@link #loader()}. */
    boolean isEmpty() {
        return jars.isEmpty();
    }

    /** {@code jar:file:/a/b.jar!/META-INF/...} -> {@code /a/b.jar} */
    private static String jarPath(String resourceUrl) {
        int end = resourceUrl.indexOf("!/");
        String file = resourceUrl.startsWith("jar:") && end > 0 ? resourceUrl.substring(4, end) : resourceUrl;
        try {
            return Path.of(new java.net.URI(file)).toString();
        } catch (URISyntaxException | IllegalArgumentException e) {
            return file;
        }
    }

    /** Refuses jars that hold no function: a jar listed by mistake, or one without its service file. */
    void requireFunctions(int found) {
        if (!jars.isEmpty() && found == 0) {
            throw new IllegalStateException(PATH_KEY + ": no function in " + describe() + "; list each function's "
                    + "class in the jar's META-INF/services/dev.fanout.spi.TaskFunction");
        }
    }

    /** The jar a class of these jars came from. */
    String jarOf(Class<?> type) {
        CodeSource source = type.getProtectionDomain().getCodeSource();
        try {
            return source == null ? path : Path.of(source.getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            return source.getLocation().toString();
        }
    }

    String describe() {
        return jars.size() == 1 ? jars.get(0).toString() : jars.toString();
    }

    /** Class name to jar, for the functions a native build included ({@link #INCLUDED_AT_BUILD}); empty otherwise. */
    static Map<String, String> includedAtBuild(ClassLoader loader) {
        Map<String, String> origins = new HashMap<>();
        try {
            for (URL url : Collections.list(loader.getResources(INCLUDED_AT_BUILD))) {
                Properties p = new Properties();
                try (InputStream in = url.openStream()) {
                    p.load(in);
                }
                p.forEach((k, v) -> origins.put(k.toString(), v.toString()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + INCLUDED_AT_BUILD, e);
        }
        return origins;
    }

    @Override
    public void close() {
        try {
            loader.close();
        } catch (IOException e) {
            // the jar files stay open until the process exits; nothing else depends on it
        }
    }

    /**
     * Child of the platform class loader (the JDK only), plus the host's {@link #SHARED} packages. Every other class
     * comes from the jars, so that the host's libraries neither leak into the functions nor clash with theirs.
     */
    private static final class IsolatingLoader extends URLClassLoader {
        static {
            registerAsParallelCapable();
        }

        private final ClassLoader host;

        IsolatingLoader(URL[] urls, ClassLoader host) {
            super("fanout-functions", urls, ClassLoader.getPlatformClassLoader());
            this.host = host;
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            for (String prefix : SHARED) {
                if (name.startsWith(prefix)) {
                    return host.loadClass(name);
                }
            }
            return super.loadClass(name, resolve);
        }
    }
}
