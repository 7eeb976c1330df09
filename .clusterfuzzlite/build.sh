#!/bin/bash -eu
# Builds the fuzz targets of fuzz/ into $OUT, for ClusterFuzzLite and for OSS-Fuzz
# (whose projects/lockstep/build.sh runs this script): one build script for both.
#
# Runs in the gcr.io/oss-fuzz-base/base-builder-rust image, which sets the toolchain,
# the sanitizer flags and $OUT; for a coverage build its `cargo` wrapper turns
# `cargo fuzz build` into an instrumented `cargo build` in fuzz/.
#
# Every fuzz/fuzz_targets/<name>.rs is a target: adding one needs no change here.
# Next to each binary go, when they exist:
#   <name>_seed_corpus.zip   fuzz/corpus/<name>/ (the committed seed-* files)
#   <name>.dict              fuzz/dicts/<name>.dict
#   <name>.options           fuzz/options/<name>.options ([libfuzzer] max_len = N)

cd "$SRC/lockstep"

# -O: optimised. --debug-assertions: with debug assertions and overflow checks, as
# `cargo fuzz run` (and so `cargo xtask fuzz run`) builds by default, so that what CI
# finds reproduces locally. The address sanitizer is cargo-fuzz's default.
cargo fuzz build -O --debug-assertions --fuzz-dir fuzz

release=fuzz/target/x86_64-unknown-linux-gnu/release
built=0
for source in fuzz/fuzz_targets/*.rs; do
    name=$(basename "$source" .rs)
    if [ ! -f "$release/$name" ]; then
        echo "build.sh: $source has no binary $release/$name (is it a [[bin]] of fuzz/Cargo.toml?)" >&2
        exit 1
    fi
    cp "$release/$name" "$OUT/"
    built=$((built + 1))

    # The seeds, flat (-j); hidden files are not inputs, and the file list comes
    # from find since a corpus can outgrow a command line.
    corpus=fuzz/corpus/$name
    rm -f "$OUT/${name}_seed_corpus.zip"
    if [ -d "$corpus" ] && [ -n "$(find "$corpus" -type f ! -name '.*' -print -quit)" ]; then
        find "$corpus" -type f ! -name '.*' -print | zip -q -j -@ "$OUT/${name}_seed_corpus.zip"
    fi
    if [ -f "fuzz/dicts/$name.dict" ]; then
        cp "fuzz/dicts/$name.dict" "$OUT/$name.dict"
    fi
    if [ -f "fuzz/options/$name.options" ]; then
        cp "fuzz/options/$name.options" "$OUT/$name.options"
    fi
done

if [ "$built" -eq 0 ]; then
    echo "build.sh: no fuzz target in fuzz/fuzz_targets/" >&2
    exit 1
fi
echo "build.sh: $built fuzz targets in $OUT"
