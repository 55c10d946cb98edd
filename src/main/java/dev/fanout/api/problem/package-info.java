/**
 * The API's error vocabulary: every refusal leaves as {@code application/problem+json} ({@code Problem}) with a type
 * ({@code urn:fanout:problem:...}), a status and a detail that says what to fix; {@code ProblemMapper} turns the
 * engine's and the store's refusals, and anything unexpected, into one.
 *
 * It imports the engine's and the store's exceptions and JAX-RS; never the API's resources (they throw
 * {@code ProblemException}, it does not call them).
 */
package dev.fanout.api.problem;
