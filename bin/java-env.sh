# Sourced by the bin/ scripts: exports JAVA_HOME as a JDK >= 21 (this project compiles for 21 and runs on 25),
# taking JAVA_HOME when it is recent enough, else the first suitable JDK under /usr/lib/jvm (Temurin 25 first).
java_feature_version() {
    "$1/bin/java" -XshowSettings:properties -version 2>&1 \
        | awk -F'= ' '/java.specification.version/ { split($2, v, "."); print (v[1] == "1" ? v[2] : v[1]) }'
}

find_jdk() {
    local candidate version
    for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*; do
        [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] && [ -x "$candidate/bin/javac" ] || continue
        version=$(java_feature_version "$candidate")
        if [ -n "$version" ] && [ "$version" -ge 21 ]; then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}

if ! JAVA_HOME=$(find_jdk); then
    echo "fanout needs a JDK 21 or newer (25 recommended): set JAVA_HOME or install one under /usr/lib/jvm" >&2
    exit 1
fi
export JAVA_HOME
export PATH="$JAVA_HOME/bin:$PATH"
