package dev.fanout.docs;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The README's "A five-minute walk": its shell blocks, each with the JSON block shown after it (if any). */
public final class Walk {
    static final String SECTION = "## A five-minute walk";
    private static final Pattern FENCE = Pattern.compile("```(sh|json)\\n(.*?)```", Pattern.DOTALL);

    /** @param expected the JSON the README shows after the commands, or null */
    public record Step(String commands, String expected) {
    }

    private Walk() {
    }

    /** The walk's steps in order; an empty list when the README has no walk section. */
    public static List<Step> of(String readme) {
        int start = readme.indexOf(SECTION + "\n");
        if (start < 0) {
            return List.of();
        }
        int end = readme.indexOf("\n## ", start + SECTION.length());
        String section = readme.substring(start, end < 0 ? readme.length() : end);
        List<Step> steps = new ArrayList<>();
        Matcher m = FENCE.matcher(section);
        while (m.find()) {
            if (m.group(1).equals("sh")) {
                steps.add(new Step(m.group(2), null));
            } else if (!steps.isEmpty() && steps.getLast().expected() == null) {
                steps.set(steps.size() - 1, new Step(steps.getLast().commands(), m.group(2)));
            } else {
                throw new IllegalArgumentException("a JSON block follows no shell block in the walk: " + m.group(2));
            }
        }
        return steps;
    }
}
