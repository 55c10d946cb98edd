package dev.fanout.registry;

import org.graalvm.nativeimage.hosted.Feature;
import org.graalvm.nativeimage.hosted.RuntimeReflection;
import org.graalvm.nativeimage.hosted.RuntimeResourceAccess;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;

/**
 * Keeps the functions findable in a native binary. {@link FunctionRegistry} finds them with
 * {@link java.util.ServiceLoader}, which needs the service file as a resource and each class it lists with its
 * constructor for reflection; Quarkus builds with {@code -H:-UseServiceLoaderFeature}, so without this the binary had
 * no built-in function at all. It registers what the build's own service files list, so the functions of jars built
 * in ({@code native/IncludeFunctionJars.java} appends theirs) come along without a list kept anywhere else.
 *
 * <p>Run by the native builder only ({@code quarkus.native.additional-build-args}); the annotations' library
 * ({@code org.graalvm.sdk:nativeimage}) is a provided dependency.
 */
public final class NativeFunctions implements Feature {
    @Override
    public String getDescription() {
        return "fanout: the functions of " + FunctionJars.SERVICE_FILE;
    }

    @Override
    public void beforeAnalysis(BeforeAnalysisAccess access) {
        ClassLoader loader = access.getApplicationClassLoader();
        RuntimeResourceAccess.addResource(loader.getUnnamedModule(), FunctionJars.SERVICE_FILE);
        for (String name : providers(loader)) {
            Class<?> type;
            try {
                type = Class.forName(name, false, loader);
            } catch (ClassNotFoundException | LinkageError e) {
                // a class missing from the build, or one it needs (a superclass a function jar left out)
                throw new IllegalStateException(FunctionJars.SERVICE_FILE + " lists " + name + ", which the native "
                        + "build cannot load: " + e, e);
            }
            RuntimeReflection.register(type);
            try {
                RuntimeReflection.register(type.getConstructor());
            } catch (NoSuchMethodException e) {
                throw new IllegalStateException(name + " has no public no-argument constructor, which "
                        + "ServiceLoader needs to make it", e);
            }
        }
    }

    private static List<String> providers(ClassLoader loader) {
        try {
            return Collections.list(loader.getResources(FunctionJars.SERVICE_FILE)).stream()
                    .flatMap(url -> FunctionJars.providers(read(url)).stream()).distinct().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + FunctionJars.SERVICE_FILE, e);
        }
    }

    private static String read(URL url) {
        try (InputStream in = url.openStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + url, e);
        }
    }
}
