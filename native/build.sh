#!/usr/bin/env bash
# Builds the native executables without a local GraalVM: Quarkus runs the native-image builds in the Mandrel builder
# container (needs Docker or Podman). The service (target/fanout-*-runner: service, worker processes and the
# `fanout` client in one binary), then the native Lambda worker (target/lambda-native/function.zip, provided.al2023).
# With a local GraalVM or Mandrel, or on the development machines with the native-build kit, bin/test-native builds
# both (and tests them) instead.
set -euo pipefail
cd "$(dirname "$0")/.."
source bin/java-env.sh
./mvnw -B package -Dnative -DskipTests -Dquarkus.native.container-build=true "$@"
./mvnw -B package -Dlambda -Dnative -Dquarkus.native.container-build=true "$@"
