import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Builds users' function jars into the application, for native binaries, which cannot load jars at run time:
 * {@code ./mvnw package -Dnative -Dfanout.functions.path=a.jar,dir/of/jars}. The build (pom.xml, profile service) runs
 * it as {@code java native/IncludeFunctionJars.java CLASSES PATH --classpath CP} twice: at process-classes with no
 * PATH, which takes out what an earlier build put in (before the tests run, so that no build carries functions of an
 * earlier one), and before Quarkus packages target/classes with the property's jars, which it then:
 * <ol>
 *   <li>copies into CLASSES (classes and resources; licences, notices and signatures stay behind), refusing a class the
 *       application already has (in CLASSES or on its classpath CP) or that another jar has: a native binary holds one
 *       class of each name, so a jar may neither replace fanout's, nor Jackson's, nor one of the libraries' classes;</li>
 *   <li>appends every {@code META-INF/services} file of the jars to the application's;</li>
 *   <li>records which jar each function came from ({@code META-INF/fanout/function-jars.properties}, for
 *       {@code GET /functions}) and registers every class for reflection and every resource for inclusion, as the JVM's
 *       class loader would have given a function both.</li>
 * </ol>
 * What it wrote is listed in {@value #RECORD}, so that it can be taken out again. In the binary the functions are
 * built-ins that still name their jar; unlike in the JVM service, they share the application's classes.
 */
public final class IncludeFunctionJars {
    private static final String FUNCTIONS = "META-INF/services/dev.fanout.spi.TaskFunction";
    private static final String SERVICES = "META-INF/services/";
    private static final String ORIGINS = "META-INF/fanout/function-jars.properties";
    private static final String RECORD = "META-INF/fanout/included-files.txt";
    private static final String NATIVE = "META-INF/native-image/dev.fanout/function-jars/";
    /** Packages a function jar must not bring: the SPI, and what it shares with the functions (Jackson). */
    private static final List<String> REFUSED = List.of("dev/fanout/spi/", "com/fasterxml/jackson/");

    /** What this run wrote: files ({@code F name}) and service lines ({@code S file provider}), for {@link #fail}. */
    private static final Set<String> WRITTEN = new LinkedHashSet<>();
    private static Path classes;

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: java native/IncludeFunctionJars.java CLASSES_DIR [JARS_OR_DIRS,...] "
                    + "[--classpath CLASSPATH]");
            System.exit(2);
        }
        classes = Path.of(args[0]).toAbsolutePath().normalize();
        String path = args.length > 1 && !args[1].equals("--classpath") ? args[1].trim() : "";
        String classpath = "";
        for (int i = 1; i + 1 < args.length; i++) {
            if (args[i].equals("--classpath")) {
                classpath = args[i + 1];
            }
        }
        takeOutPrevious();
        try {
            include(jars(path), classpath);
        } catch (IOException | RuntimeException e) {
            fail("cannot include " + path + ": " + e);
        }
    }

    private static void include(List<Path> jars, String classpath) throws IOException {
        if (jars.isEmpty()) {
            return;
        }
        Map<String, String> application = classesOf(classpath);
        Map<String, Path> ownerOf = new HashMap<>();
        Map<String, List<String>> services = new LinkedHashMap<>();
        Map<String, String> origins = new TreeMap<>();
        List<String> classNames = new ArrayList<>();
        List<String> resources = new ArrayList<>();
        for (Path jar : jars) {
            try (ZipFile zip = new ZipFile(jar.toFile())) {
                for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) {
                    ZipEntry e = en.nextElement();
                    String name = e.getName();
                    if (e.isDirectory() || leftBehind(name)) {
                        continue;
                    }
                    if (name.startsWith(SERVICES) && name.indexOf('/', SERVICES.length()) < 0) {
                        for (String provider : providers(new String(zip.getInputStream(e).readAllBytes(),
                                StandardCharsets.UTF_8))) {
                            services.computeIfAbsent(name, k -> new ArrayList<>()).add(provider);
                            if (name.equals(FUNCTIONS)) {
                                origins.put(provider, jar.toString());
                            }
                        }
                        continue;
                    }
                    check(jar, name, ownerOf, application);
                    Path target = classes.resolve(name).normalize();
                    ownerOf.put(name, jar);
                    Files.createDirectories(target.getParent());
                    WRITTEN.add("F " + name);
                    try (var in = zip.getInputStream(e)) {
                        Files.copy(in, target);
                    }
                    if (name.endsWith(".class")) {
                        classNames.add(name.substring(0, name.length() - ".class".length()).replace('/', '.'));
                    } else {
                        resources.add(name);
                    }
                }
            }
        }
        for (Map.Entry<String, List<String>> s : services.entrySet()) {
            for (String provider : s.getValue()) {
                String classFile = provider.replace('.', '/') + ".class";
                if (!ownerOf.containsKey(classFile) && (Files.exists(classes.resolve(classFile))
                        || application.containsKey(classFile))) {
                    fail("a jar's " + s.getKey() + " lists " + provider + ", which is the application's own: a "
                            + "function jar lists its own classes only");
                }
            }
        }
        if (origins.isEmpty()) {
            fail("no function in " + jars + "; list each function's class in the jar's " + FUNCTIONS);
        }
        Properties p = new Properties();
        p.putAll(origins);
        write(ORIGINS, null);
        try (var out = Files.newOutputStream(classes.resolve(ORIGINS))) {
            p.store(out, "function class -> the jar it was built in from (native/IncludeFunctionJars.java)");
        }
        resources.add(ORIGINS); // read at run time by FunctionRegistry
        write(NATIVE + "reflect-config.json", reflectConfig(classNames));
        write(NATIVE + "resource-config.json", resourceConfig(resources));
        services.forEach((file, providers) -> providers.forEach(provider -> WRITTEN.add("S " + file + " " + provider)));
        write(RECORD, String.join("\n", WRITTEN) + "\n");
        // last, once the record lists them: a run that stops in the middle of this is still undone by the next one
        for (Map.Entry<String, List<String>> s : services.entrySet()) {
            Path file = classes.resolve(s.getKey());
            Files.createDirectories(file.getParent());
            Files.writeString(file, "\n" + String.join("\n", s.getValue()) + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
        System.out.println("IncludeFunctionJars: built in " + origins.size() + " function(s) and " + classNames.size()
                + " class(es) from " + jars);
    }

    /** Refuses a file the application or an earlier jar already has: the image would hold one of them only. */
    private static void check(Path jar, String name, Map<String, Path> ownerOf, Map<String, String> application) {
        for (String refused : REFUSED) {
            if (name.startsWith(refused)) {
                fail(jar + " holds " + name + ": fanout and Jackson come with the service (keep fanout-spi provided, "
                        + "and Jackson with it)");
            }
        }
        if (ownerOf.containsKey(name)) {
            fail(name + " is in two function jars, " + ownerOf.get(name) + " and " + jar + "; give one");
        }
        if (Files.exists(classes.resolve(name))) {
            fail(jar + " holds " + name + ", which the application has already");
        }
        if (application.containsKey(name)) {
            fail(jar + " holds " + name + ", which the application has already (in " + application.get(name)
                    + "): a native binary holds one class of each name, so a function must use the service's "
                    + "version of that library, or shade its own under another package");
        }
    }

    /** Licences, notices, signatures, manifests and module descriptors belong to each jar, not to the application. */
    private static boolean leftBehind(String name) {
        String upper = name.toUpperCase(Locale.ROOT);
        return upper.equals("META-INF/MANIFEST.MF") || upper.equals("META-INF/INDEX.LIST")
                || upper.startsWith("META-INF/MAVEN/") || upper.startsWith("META-INF/VERSIONS/")
                || upper.matches("META-INF/(LICENSE|NOTICE|DEPENDENCIES|README)[^/]*")
                || upper.matches("META-INF/[^/]+\\.(SF|RSA|DSA|EC)") || name.endsWith("module-info.class");
    }

    /** The class files of the application's classpath (jars only: its own classes are in CLASSES), by name. */
    private static Map<String, String> classesOf(String classpath) throws IOException {
        Map<String, String> owner = new HashMap<>();
        for (String entry : classpath.split(File.pathSeparator)) {
            if (entry.endsWith(".jar") && Files.isRegularFile(Path.of(entry))) {
                try (ZipFile zip = new ZipFile(entry)) {
                    String jarName = Path.of(entry).getFileName().toString();
                    zip.stream().map(ZipEntry::getName).filter(n -> n.endsWith(".class"))
                            .forEach(n -> owner.putIfAbsent(n, jarName));
                }
            }
        }
        return owner;
    }

    private static List<String> providers(String serviceFile) {
        List<String> providers = new ArrayList<>();
        for (String line : serviceFile.split("\n")) {
            String provider = line.replaceAll("#.*", "").trim();
            if (!provider.isEmpty()) {
                providers.add(provider);
            }
        }
        return providers;
    }

    private static void write(String name, String text) throws IOException {
        Path file = classes.resolve(name);
        Files.createDirectories(file.getParent());
        WRITTEN.add("F " + name);
        if (text != null) {
            Files.writeString(file, text);
        }
    }

    /** Takes out what the record lists: the files, the directories left empty, and the service lines. */
    private static void takeOutPrevious() throws IOException {
        Path record = classes.resolve(RECORD);
        if (Files.exists(record)) {
            undo(Files.readAllLines(record));
            delete(RECORD);
        }
    }

    private static void undo(List<String> lines) throws IOException {
        Map<String, Set<String>> added = new HashMap<>();
        for (String line : lines) {
            if (line.startsWith("F ")) {
                delete(line.substring(2));
            } else if (line.startsWith("S ")) {
                String[] s = line.split(" ", 3);
                added.computeIfAbsent(s[1], k -> new LinkedHashSet<>()).add(s[2]);
            }
        }
        for (Map.Entry<String, Set<String>> s : added.entrySet()) {
            Path file = classes.resolve(s.getKey());
            if (Files.exists(file)) {
                List<String> kept = Files.readAllLines(file).stream()
                        .filter(l -> !s.getValue().contains(l.trim())).toList();
                String text = String.join("\n", kept).strip();
                if (text.isEmpty()) {
                    delete(s.getKey());
                } else {
                    Files.writeString(file, text + "\n");
                }
            }
        }
    }

    /** Deletes a file this tool wrote, and the directories that held nothing else. */
    private static void delete(String name) throws IOException {
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

    /** Stops the build, taking out what this run wrote: the classes are left as the compiler made them. */
    private static void fail(String message) {
        System.err.println("IncludeFunctionJars: " + message);
        try {
            undo(new ArrayList<>(WRITTEN));
        } catch (IOException e) {
            System.err.println("IncludeFunctionJars: could not take out all it wrote (" + e.getMessage() + "): run "
                    + "./mvnw clean");
        }
        System.exit(1);
    }
}
