package dev.fanout.docs;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every relative link of the project's Markdown (the README, docs/, and the READMEs beside the code) resolves: the
 * file or directory exists, and an anchor names a heading of the file it points into (GitHub's anchors: lower case,
 * spaces to hyphens, punctuation dropped). The README is a door to docs/: a door that opens on nothing fails here.
 */
class DocsLinksTest {
    private static final Pattern LINK = Pattern.compile("(?<!!)\\[[^\\]]*\\]\\(([^)\\s]+)\\)");
    private static final Pattern FENCED = Pattern.compile("```.*?```", Pattern.DOTALL);

    @Test
    void everyRelativeLinkResolves() throws IOException {
        List<Path> pages = markdown();
        assertTrue(pages.contains(Path.of("README.md")), pages.toString());
        List<String> broken = new ArrayList<>();
        int links = 0;
        for (Path page : pages) {
            Matcher m = LINK.matcher(FENCED.matcher(Files.readString(page)).replaceAll(""));
            while (m.find()) {
                String target = m.group(1);
                if (target.matches("[a-z]+:.*")) {
                    continue; // http(s), mailto: not this test's
                }
                links++;
                String file = target.contains("#") ? target.substring(0, target.indexOf('#')) : target;
                String anchor = target.contains("#") ? target.substring(target.indexOf('#') + 1) : null;
                Path resolved = file.isEmpty() ? page : page.resolveSibling(file).normalize();
                if (!Files.exists(resolved)) {
                    broken.add(page + ": " + target + " (no " + resolved + ")");
                } else if (anchor != null && !anchors(resolved).contains(anchor)) {
                    broken.add(page + ": " + target + " (no heading #" + anchor + " in " + resolved + ")");
                }
            }
        }
        assertEquals(List.of(), broken, links + " relative links checked");
    }

    private static List<Path> markdown() throws IOException {
        try (Stream<Path> files = Files.walk(Path.of("."))) {
            return files.map(p -> Path.of(".").relativize(p))
                    .filter(p -> p.toString().endsWith(".md"))
                    .filter(p -> !p.startsWith("target") && !p.toString().contains("node_modules")
                            && !p.startsWith(".git") && !p.toString().contains("/target/")
                            && !p.startsWith("bench/results"))
                    .sorted().toList();
        }
    }

    static List<String> anchors(Path file) throws IOException {
        if (!file.toString().endsWith(".md")) {
            return List.of();
        }
        List<String> anchors = new ArrayList<>();
        for (String line : FENCED.matcher(Files.readString(file)).replaceAll("").split("\n")) {
            if (line.matches("#{1,6} .*")) {
                String text = line.replaceFirst("#+ ", "").strip().toLowerCase(Locale.ROOT);
                String anchor = text.replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
                String unique = anchor;
                for (int n = 1; anchors.contains(unique); n++) {
                    unique = anchor + "-" + n;
                }
                anchors.add(unique);
            }
        }
        return anchors;
    }
}
