# Sourced by bin/test and bin/test-native: what the tests need besides Java and Node. Debian's chromium for the
# dashboard's browser test (DashboardIT), curl and jq for the README's walk (ReadmeWalkIT), installed with apt-get when
# missing (as root or through sudo); the browser test's npm packages (playwright-core).
missing=()
for tool in chromium curl jq; do
    command -v "$tool" > /dev/null || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
    sudo=$([ "$(id -u)" = 0 ] || echo sudo)
    $sudo apt-get install -y -q "${missing[@]}" > /dev/null \
        || { $sudo apt-get update -q > /dev/null && $sudo apt-get install -y -q "${missing[@]}" > /dev/null; }
fi
(cd src/test/ui && npm ci --no-audit --no-fund)
