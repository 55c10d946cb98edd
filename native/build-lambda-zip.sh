#!/usr/bin/env bash
# Packs the native Lambda worker for the provided.al2023 runtime: the application's native binary (built by
# ./mvnw package -Dnative) and a `bootstrap` that starts it in its Lambda mode (a Runtime API client,
# dev.fanout.worker.lambda.RuntimeApiClient). Output: target/function-native.zip, which infra/ deploys with
# `-c workerRuntime=provided.al2023`.
set -euo pipefail
cd "$(dirname "$0")/.."
runner=$(ls target/*-runner 2>/dev/null | head -1 || true)
if [ -z "$runner" ] || [ ! -x "$runner" ]; then
    echo "no native binary under target/: build it first with ./mvnw package -Dnative (GraalVM or Mandrel)" >&2
    exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$runner" "$work/fanout"
cp native/bootstrap "$work/bootstrap"
chmod 0755 "$work/fanout" "$work/bootstrap"
rm -f target/function-native.zip
(cd "$work" && zip -q -9 "$OLDPWD/target/function-native.zip" bootstrap fanout)
echo "target/function-native.zip: $(du -h target/function-native.zip | cut -f1) (bootstrap + $(basename "$runner"))"
