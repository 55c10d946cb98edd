#!/usr/bin/env bash
# Builds the native executable (service, worker processes and native Lambda worker in one binary) without a local
# GraalVM: Quarkus runs the native-image build in the Mandrel builder container (needs Docker or Podman). With a
# local GraalVM/Mandrel, plain `./mvnw package -Dnative` does the same. Then packs the native Lambda worker.
set -euo pipefail
cd "$(dirname "$0")/.."
source bin/java-env.sh
./mvnw -B package -Dnative -DskipTests -Dquarkus.native.container-build=true "$@"
native/build-lambda-zip.sh
