package dev.fanout.testing.jars;

/** Another jar's function with the same name as {@link Greet}: a clash. */
public class OtherGreet extends Greet {
}
