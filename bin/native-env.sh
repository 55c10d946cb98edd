# Sourced by bin/test-native (and .ci/run, to know whether to call it): makes `native-image` available to Quarkus's
# native build (./mvnw package -Dnative). GraalVM's or Mandrel's own when it is on PATH (the hosted workflow); else the
# native-build kit of the development machines through native/kit/native-image: FANOUT_NATIVE_KIT when set, else
# ../shared/tools/native-build beside this repository, else /work/shared/tools/native-build. Returns 1 when neither.
native_image_available() {
    local kit
    if command -v native-image > /dev/null; then
        return 0
    fi
    for kit in "${FANOUT_NATIVE_KIT:-}" "$PWD/../shared/tools/native-build" /work/shared/tools/native-build; do
        if [ -n "$kit" ] && [ -x "$kit/native-build.sh" ]; then
            FANOUT_NATIVE_KIT=$(cd "$kit" && pwd)
            export FANOUT_NATIVE_KIT
            export PATH="$PWD/native/kit:$PATH"
            return 0
        fi
    done
    return 1
}
