package dev.fanout.packaged;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dashboard in a real browser: {@code src/test/ui/dashboard.test.mjs}, Playwright driving Debian's Chromium,
 * against the packaged service with named API keys: alice and bob (submitters), root (an admin) and carol (a submitter
 * with one running batch at most). As alice it types the key, watches a batch's bar reach 100%, follows a batch page
 * live, filters its failed results, redrives it, cancels another batch and lists the functions; bob never sees
 * alice's batch (not in his list, "no batch" on its page), root sees both with their owners, and carol's redrive
 * refused by her quota says so. Its screenshots land in {@code target/dashboard/}. {@code bin/test} installs Chromium
 * and the test's npm packages.
 */
class DashboardIT {
    private static final String ALICE = "dashboard-it-alice";
    private static final String BOB = "dashboard-it-bob";
    private static final String ROOT = "dashboard-it-root";
    private static final String CAROL = "dashboard-it-carol";
    private static final Path UI = Path.of("src/test/ui");
    private static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));

    @Test
    void theDashboardWorksInChromium(@TempDir Path dir) throws Exception {
        assertTrue(Files.isDirectory(UI.resolve("node_modules/playwright-core")),
                "the browser test's packages are missing: run (cd src/test/ui && npm ci), as bin/test does");
        assertTrue(Files.isExecutable(CHROMIUM), CHROMIUM + " is missing: apt-get install -y chromium, as bin/test "
                + "does (or set CHROMIUM to a Chromium binary)");
        Path shots = Path.of("target/dashboard").toAbsolutePath();
        File log = new File("target/dashboard-browser.log");
        try (PackagedService service = PackagedService.onSqlite("dashboard", dir, "-Dfanout.auth.enabled=true",
                "-Dfanout.auth.keys.alice.key=" + ALICE, "-Dfanout.auth.keys.bob.key=" + BOB,
                "-Dfanout.auth.keys.root.key=" + ROOT, "-Dfanout.auth.keys.root.role=admin",
                "-Dfanout.auth.keys.carol.key=" + CAROL, "-Dfanout.auth.keys.carol.max-running=1").start()) {
            ProcessBuilder pb = new ProcessBuilder("node", "--test", "--test-reporter=spec", "dashboard.test.mjs")
                    .directory(UI.toFile()).redirectErrorStream(true).redirectOutput(log);
            pb.environment().put("FANOUT_URL", "http://127.0.0.1:" + service.port());
            pb.environment().put("FANOUT_API_KEY", ALICE);
            pb.environment().put("FANOUT_OTHER_KEY", BOB);
            pb.environment().put("FANOUT_ADMIN_KEY", ROOT);
            pb.environment().put("FANOUT_QUOTA_KEY", CAROL);
            pb.environment().put("SCREENSHOTS", shots.toString());
            pb.environment().put("CHROMIUM", CHROMIUM.toString());
            Process browser = pb.start();
            try {
                boolean finished = browser.waitFor(5, TimeUnit.MINUTES);
                String out = Files.readString(log.toPath());
                System.out.println(out);
                assertTrue(finished, "the browser test did not finish in 5 minutes:\n" + out);
                assertEquals(0, browser.exitValue(), "the browser test failed:\n" + out);
            } finally {
                browser.descendants().forEach(ProcessHandle::destroyForcibly); // node's test runner, Chromium
                browser.destroyForcibly();
            }
        }
        for (String shot : new String[] {"batches-list.png", "batch-live.png", "batch-failed.png", "functions.png",
                "batch-not-found.png", "batches-admin.png"}) {
            assertTrue(Files.size(shots.resolve(shot)) > 10_000, "a screenshot with something in it: " + shot);
        }
    }
}
