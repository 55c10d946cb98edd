package dev.fanout.testing.jars;

/** A dependency of {@link Greet}, shipped in a jar of its own beside it. */
public final class Salutation {
    private Salutation() {
    }

    public static String of(String name) {
        return "Hello, " + name + "!";
    }
}
