# Sourced by bin/test and bin/test-native: what the dashboard's browser test (DashboardIT) needs besides Java, Debian's
# chromium (installed with apt-get when missing, as root or through sudo) and the test's npm packages (playwright-core).
if ! command -v chromium > /dev/null; then
    sudo=$([ "$(id -u)" = 0 ] || echo sudo)
    $sudo apt-get install -y -q chromium > /dev/null \
        || { $sudo apt-get update -q > /dev/null && $sudo apt-get install -y -q chromium > /dev/null; }
fi
(cd src/test/ui && npm ci --no-audit --no-fund)
