import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Builds users' function jars into the application, for native binaries, which cannot load jars at run time:
 * {@code ./mvnw package -Dnative -Dfanout.functions.path=a.jar,dir/of/jars}. The build runs it (pom.xml, profile
 * service, before Quarkus packages target/classes) as {@code java native/IncludeFunctionJars.java CLASSES PATH}:
 * <ol>
 *   <li>first it takes out what an earlier run put in CLASSES (recorded in {@value #RECORD}), so a build without the
 *       property never carries functions of an earlier one;</li>
 *   <li>then it copies each jar's classes and resources into CLASSES, refusing any file the application or another jar
 *       already has (a jar may not replace fanout's classes, nor one jar another's);</li>
 *   <li>appends the jars' functions to the service file, records which jar each came from
 *       ({@code META-INF/fanout/function-jars.properties}, for {@code GET /functions}), and registers every class
 *       for reflection and every resource for inclusion, as the JVM's class loader would have given a function both.</li>
 * </ol>
 * In the binary the functions are then built-ins that still name their jar; they share the application's classes,
 * where the JVM service gives them a class loader of their own.
 */
public final class IncludeFunctionJars {
    private static final String SERVICES = "META-INF/services/dev.fanout.spi.TaskFunction";
    private static final String ORIGINS = "META-INF/fanout/function-jars.properties";
    private static final String RECORD = "META-INF/fanout/included-files.txt";
    private static final String NATIVE = "META-INF/native-image/dev.fanout/function-jars/";

    /** What this run copied into the classes, for {@link #fail} to take out again. */
    private static final Set<String> WRITTEN = new LinkedHashSet<>();
    private static Path classesDir;

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: java native/IncludeFunctionJars.java CLASSES_DIR [JARS_OR_DIRS,...]");
            System.exit(2);
        }
        Path classes = Path.of(args[0]).toAbsolutePath().normalize();
        classesDir = classes;
        String path = args.length > 1 ? args[1].trim() : "";
        removePrevious(classes);
        List<Path> jars = jars(path);
        if (jars.isEmpty()) {
            return;
        }
        Set<String> written = WRITTEN;
        Map<String, String> origins = new TreeMap<>();
        List<String> functions = new ArrayList<>();
        List<String> classNames = new ArrayList<>();
        List<String> resources = new ArrayList<>();
        Map<String, Path> ownerOf = new LinkedHashMap<>();
        for (Path jar : jars) {
            List<String> jarFunctions = new ArrayList<>();
            try (ZipInputStream in = new ZipInputStream(Files.newInputStream(jar))) {
                for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                    String name = e.getName();
                    if (e.isDirectory() || skipped(name)) {
                        continue;
                    }
                    if (name.equals(SERVICES)) {
                        for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                            String fn = line.replaceAll("#.*", "").trim();
                            if (!fn.isEmpty()) {
                                jarFunctions.add(fn);
                            }
                        }
                        continue;
                    }
                    Path target = classes.resolve(name).normalize();
                    if (!target.startsWith(classes)) {
                        fail(jar + ": the entry " + name + " points outside the classes");
                    }
                    if (ownerOf.containsKey(name)) {
                        fail(name + " is in two function jars, " + ownerOf.get(name) + " and " + jar + "; give one");
                    }
                    if (Files.exists(target) || name.startsWith("dev/fanout/spi/")) {
                        fail(jar + " holds " + name + ", which the application has already (a function jar brings its "
                                + "own classes only: keep fanout-spi provided)");
                    }
                    ownerOf.put(name, jar);
                    Files.createDirectories(target.getParent());
                    Files.copy(in, target);
                    written.add(name);
                    if (name.endsWith(".class")) {
                        classNames.add(name.substring(0, name.length() - ".class".length()).replace('/', '.'));
                    } else {
                        resources.add(name);
                    }
                }
            }
            if (jarFunctions.isEmpty()) {
                System.out.println("IncludeFunctionJars: " + jar + " lists no function (a dependency of the others)");
            }
            for (String fn : jarFunctions) {
                origins.put(fn, jar.toString());
                functions.add(fn);
            }
        }
        if (functions.isEmpty()) {
            fail("no function in " + jars + "; list each function's class in the jar's " + SERVICES);
        }
        Path services = classes.resolve(SERVICES);
        Files.createDirectories(services.getParent());
        Files.writeString(services, "\n" + String.join("\n", functions) + "\n", StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        Properties p = new Properties();
        p.putAll(origins);
        Path originsFile = classes.resolve(ORIGINS);
        Files.createDirectories(originsFile.getParent());
        try (var out = Files.newOutputStream(originsFile)) {
            p.store(out, "function class -> the jar it was built in from (native/IncludeFunctionJars.java)");
        }
        written.add(ORIGINS);
        resources.add(ORIGINS); // read at run time by FunctionRegistry
        Path reflect = classes.resolve(NATIVE + "reflect-config.json");
        Files.createDirectories(reflect.getParent());
        Files.writeString(reflect, reflectConfig(classNames));
        Files.writeString(classes.resolve(NATIVE + "resource-config.json"), resourceConfig(resources));
        written.add(NATIVE + "reflect-config.json");
        written.add(NATIVE + "resource-config.json");
        Files.writeString(classes.resolve(RECORD), String.join("\n", written) + "\n--services\n"
                + String.join("\n", functions) + "\n");
        System.out.println("IncludeFunctionJars: built in " + functions.size() + " function(s) from " + jars);
    }

    /** Manifests, signatures and module descriptors belong to each jar, not to the application. */
    private static boolean skipped(String name) {
        String upper = name.toUpperCase(java.util.Locale.ROOT);
        return upper.equals("META-INF/MANIFEST.MF") || upper.startsWith("META-INF/MAVEN/")
                || upper.matches("META-INF/[^/]+\\.(SF|RSA|DSA|EC)") || name.endsWith("module-info.class")
                || name.startsWith("META-INF/versions/");
    }

    private static void removePrevious(Path classes) throws IOException {
        Path record = classes.resolve(RECORD);
        if (!Files.exists(record)) {
            return;
        }
        List<String> lines = Files.readAllLines(record);
        int split = lines.indexOf("--services");
        for (String name : lines.subList(0, split < 0 ? lines.size() : split)) {
            if (!name.isBlank()) {
                delete(classes, name);
            }
        }
        Path services = classes.resolve(SERVICES);
        if (split >= 0 && Files.exists(services)) {
            Set<String> added = new LinkedHashSet<>(lines.subList(split + 1, lines.size()));
            List<String> kept = Files.readAllLines(services).stream()
                    .filter(l -> !added.contains(l.trim())).toList();
            Files.writeString(services, String.join("\n", kept).strip() + "\n");
        }
        delete(classes, RECORD);
    }

    /** Deletes a file this tool wrote, and the directories that held nothing else. */
    private static void delete(Path classes, String name) throws IOException {
        Path file = classes.resolve(name);
        Files.deleteIfExists(file);
        for (Path dir = file.getParent(); !dir.equals(classes) && isEmptyDirectory(dir); dir = dir.getParent()) {
            Files.delete(dir);
        }
    }

    private static boolean isEmptyDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        }
    }

    private static List<Path> jars(String path) throws IOException {
        List<Path> jars = new ArrayList<>();
        for (String entry : path.split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            Path p = Path.of(entry.trim()).toAbsolutePath().normalize();
            if (Files.isDirectory(p)) {
                try (Stream<Path> files = Files.list(p)) {
                    List<Path> found = files.filter(f -> f.toString().endsWith(".jar")).sorted().toList();
                    if (found.isEmpty()) {
                        fail("fanout.functions.path: the directory " + p + " holds no .jar file");
                    }
                    jars.addAll(found);
                }
            } else if (Files.isRegularFile(p)) {
                jars.add(p);
            } else {
                fail("fanout.functions.path: " + p + " does not exist (give jar files or directories of jars, "
                        + "comma-separated)");
            }
        }
        return jars;
    }

    private static String reflectConfig(List<String> classNames) {
        StringBuilder s = new StringBuilder("[\n");
        for (int i = 0; i < classNames.size(); i++) {
            s.append("  {\"name\": \"").append(classNames.get(i)).append("\", \"allDeclaredConstructors\": true, ")
                    .append("\"allDeclaredMethods\": true, \"allDeclaredFields\": true}")
                    .append(i + 1 < classNames.size() ? ",\n" : "\n");
        }
        return s.append("]\n").toString();
    }

    private static String resourceConfig(List<String> resources) {
        StringBuilder s = new StringBuilder("{\"resources\": {\"includes\": [\n");
        for (int i = 0; i < resources.size(); i++) {
            s.append("  {\"pattern\": \"\\\\Q").append(resources.get(i).replace("\\", "\\\\").replace("\"", "\\\""))
                    .append("\\\\E\"}").append(i + 1 < resources.size() ? ",\n" : "\n");
        }
        return s.append("]}}\n").toString();
    }

    /** Stops the build, taking out what this run copied so far: the classes are left as the compiler made them. */
    private static void fail(String message) {
        System.err.println("IncludeFunctionJars: " + message);
        for (String name : WRITTEN) {
            try {
                delete(classesDir, name);
            } catch (IOException e) {
                System.err.println("IncludeFunctionJars: could not remove " + name + ": " + e.getMessage());
            }
        }
        System.exit(1);
    }
}
