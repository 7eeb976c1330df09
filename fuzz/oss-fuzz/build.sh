#!/bin/bash -eu
# OSS-Fuzz build script for projects/lockstep/: the repository's own
# .clusterfuzzlite/build.sh does the work, so ClusterFuzzLite and OSS-Fuzz build
# the fuzz targets the same way, and a target added to fuzz/fuzz_targets/ needs no
# change in OSS-Fuzz.
exec bash -eu "$SRC/lockstep/.clusterfuzzlite/build.sh"
