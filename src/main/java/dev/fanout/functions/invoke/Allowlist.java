package dev.fanout.functions.invoke;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The functions {@code invoke} tasks may call: {@code fanout.invoke.allowed-functions}, comma-separated patterns in
 * which {@code *} stands for any run of characters (within one segment of an ARN). Empty: none.
 * <ul>
 *   <li>A pattern without {@code :} ({@code order-*}) matches a function of the service's own account and region
 *       given by name: {@code order-check} or {@code order-check:prod}. A target that names an account (a partial or
 *       full ARN) needs an ARN pattern: a name pattern would otherwise allow that name in every account, and the
 *       service could be made to call another account's function on the caller's behalf.
 *   <li>A pattern {@code arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME} matches a full-ARN target segment by
 *       segment, whatever its qualifier. A target given without region (a name, a partial ARN) is invoked in
 *       {@code fanout.lambda.region}: it matches when that region and its name match the pattern's (and its account,
 *       when it gives one). Its account cannot be checked here; IAM has the last word. Without
 *       {@code fanout.lambda.region} only a region of {@code *} matches such targets.
 * </ul>
 * A pattern names functions, never a version or alias: every qualifier of an allowed function is allowed.
 */
final class Allowlist {
    static final Allowlist NONE = new Allowlist(List.of(), List.of(), null, List.of());

    /** One segment's pattern. */
    private record Glob(String text, Pattern regex) {
        static Glob of(String text) {
            return new Glob(text, Pattern.compile(Arrays.stream(text.split("\\*", -1)).map(Pattern::quote)
                    .collect(Collectors.joining(".*"))));
        }

        boolean matches(String s) {
            // an unknown value (no region configured) matches only a pattern that matches everything
            return s == null ? !text.isEmpty() && text.chars().allMatch(c -> c == '*') : regex.matcher(s).matches();
        }
    }

    private record ArnPattern(Glob partition, Glob region, Glob account, Glob name) {
    }

    private final List<Glob> names;
    private final List<ArnPattern> arns;
    /** Where a target without region is invoked: {@code fanout.lambda.region}; null when unset. */
    private final String region;
    private final List<String> patterns;

    private Allowlist(List<Glob> names, List<ArnPattern> arns, String region, List<String> patterns) {
        this.names = names;
        this.arns = arns;
        this.region = region;
        this.patterns = patterns;
    }

    /**
     * @param setting the setting's value, comma-separated patterns
     * @param region  {@code fanout.lambda.region}, or null
     * @throws IllegalStateException naming the setting and the pattern that is neither a name nor a function ARN
     */
    static Allowlist parse(String setting, String region) {
        List<Glob> names = new ArrayList<>();
        List<ArnPattern> arns = new ArrayList<>();
        List<String> patterns = Arrays.stream(setting.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        for (String p : patterns) {
            String[] s = p.split(":", -1);
            if (s.length == 1) {
                names.add(Glob.of(p));
            } else if (s[0].equals("arn") && s.length == 7 && s[2].equals("lambda") && s[5].equals("function")) {
                arns.add(new ArnPattern(Glob.of(s[1]), Glob.of(s[3]), Glob.of(s[4]), Glob.of(s[6])));
            } else {
                throw new IllegalStateException(Invoke.ALLOWED + ": '" + p + "' is neither a function name (no ':') nor "
                        + "a function ARN arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME (without a qualifier: "
                        + "every version and alias of an allowed function is allowed)");
            }
        }
        return new Allowlist(List.copyOf(names), List.copyOf(arns), region, patterns);
    }

    boolean isEmpty() {
        return patterns.isEmpty();
    }

    /** The patterns as configured. */
    List<String> patterns() {
        return patterns;
    }

    boolean allows(FunctionRef f) {
        for (Glob name : names) {
            if (f.account() == null && name.matches(f.name())) {
                return true;
            }
        }
        for (ArnPattern a : arns) {
            boolean where = f.fullArn()
                    ? a.partition.matches(f.partition()) && a.region.matches(f.region())
                    : a.region.matches(region);
            if (where && a.name.matches(f.name()) && (f.account() == null || a.account.matches(f.account()))) {
                return true;
            }
        }
        return false;
    }
}
