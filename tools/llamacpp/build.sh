#!/usr/bin/env bash
# Builds llama.cpp (the peer that side-by-side.sh measures against) from the source release that the
# node-llama-cpp npm package carries as a git bundle, so nothing beyond the npm registry is needed.
# Usage: tools/llamacpp/build.sh [DIR]   (default /tmp/llama.cpp; about 5 min on 2 cores)
# Prints the folder holding llama-bench, llama-batched-bench and llama-tokenize. A second run only
# rebuilds what changed. Set EXTRA_TARGETS for more targets of llama.cpp's CMake build.
set -euo pipefail
dir=${1:-/tmp/llama.cpp}
npmdir=${LLAMACPP_NPM_DIR:-/tmp/llamacpp-npm}
version=${NODE_LLAMA_CPP_VERSION:-3.22.1}
bundle="$npmdir/node_modules/node-llama-cpp/llama/gitRelease.bundle"
if [ ! -f "$bundle" ]; then
  mkdir -p "$npmdir"
  (cd "$npmdir" && { [ -f package.json ] || npm init -y >/dev/null; } \
    && npm install --silent --ignore-scripts "node-llama-cpp@$version" >/dev/null)
fi
[ -d "$dir/.git" ] || git clone -q "$bundle" "$dir"
cd "$dir"
# -march=native (GGML_NATIVE): llama.cpp at its best on this machine, as a user would build it.
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DGGML_NATIVE=ON -DLLAMA_CURL=OFF \
  -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_SERVER=OFF >/dev/null
ninja -C build llama-bench llama-batched-bench llama-tokenize ${EXTRA_TARGETS:-} >/dev/null
echo "$dir/build/bin"
