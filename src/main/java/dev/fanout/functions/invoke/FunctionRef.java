package dev.fanout.functions.invoke;

import java.util.regex.Pattern;

/**
 * A task's {@code functionName} in the forms Lambda's Invoke accepts: a name ({@code order-check}), a name and a
 * qualifier ({@code order-check:prod}), a partial ARN ({@code 123456789012:function:order-check[:prod]}) or a full ARN
 * ({@code arn:aws:lambda:eu-west-1:123456789012:function:order-check[:prod]}).
 *
 * @param partition the ARN's partition ({@code aws}); null unless a full ARN
 * @param region    null unless a full ARN
 * @param account   null for a name
 * @param qualifier the version or alias in the name; null when it has none
 */
record FunctionRef(String text, String partition, String region, String account, String name, String qualifier) {
    /** Lambda's limit for Invoke's FunctionName. */
    static final int MAX_LENGTH = 170;
    static final String FORMS = "a function name, name:qualifier, ACCOUNT:function:NAME or "
            + "arn:aws:lambda:REGION:ACCOUNT:function:NAME, each with an optional :qualifier";
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9_.-]+");
    /** Lambda's pattern for a qualifier (a version or an alias), minus the empty one. */
    static final Pattern QUALIFIER = Pattern.compile("[a-zA-Z0-9$_-]+");
    private static final Pattern ACCOUNT = Pattern.compile("[0-9]{12}");
    private static final Pattern PARTITION = Pattern.compile("aws[a-zA-Z-]*");
    private static final Pattern REGION = Pattern.compile("[a-z0-9-]+");
    /**
     * What Lambda may read as the start of a partial ARN rather than as a name ({@code us-east-1:billing},
     * {@code 123456789012:billing}, {@code function:billing} all name the function {@code billing}): refused before a
     * qualifier, so that what the allowlist checks is what Lambda invokes.
     */
    private static final Pattern NOT_A_NAME = Pattern.compile("function|[0-9]{12}|[a-z]{2}(-[a-z]+)+-[0-9]+");

    /** @throws IllegalArgumentException saying which forms are accepted */
    static FunctionRef parse(String text) {
        String[] p = text.split(":", -1);
        FunctionRef ref;
        if (text.startsWith("arn:")) {
            ref = p.length >= 7 && p.length <= 8 && p[2].equals("lambda") && p[5].equals("function")
                    && PARTITION.matcher(p[1]).matches() && REGION.matcher(p[3]).matches()
                    && ACCOUNT.matcher(p[4]).matches()
                    ? new FunctionRef(text, p[1], p[3], p[4], p[6], p.length == 8 ? p[7] : null) : null;
        } else {
            ref = switch (p.length) {
                case 1 -> new FunctionRef(text, null, null, null, p[0], null);
                case 2 -> NOT_A_NAME.matcher(p[0]).matches() ? null
                        : new FunctionRef(text, null, null, null, p[0], p[1]);
                case 3, 4 -> p[1].equals("function") && ACCOUNT.matcher(p[0]).matches()
                        ? new FunctionRef(text, null, null, p[0], p[2], p.length == 4 ? p[3] : null) : null;
                default -> null;
            };
        }
        if (ref == null || !NAME.matcher(ref.name).matches()
                || (ref.qualifier != null && !QUALIFIER.matcher(ref.qualifier).matches())) {
            throw new IllegalArgumentException("expected " + FORMS);
        }
        return ref;
    }

    boolean fullArn() {
        return region != null;
    }

    /**
     * What the function's concurrency is counted by: its name, however the task spells it (a name, a partial or a full
     * ARN) and whatever version or alias it calls, as they all share the function's reserved concurrency.
     */
    String limitKey() {
        return name;
    }
}
