package dev.fanout.testing.jars;

/** A jar's function named like the built-in {@code sleep}: a clash. */
public class FakeSleep extends Greet {
    @Override
    public String name() {
        return "sleep";
    }
}
