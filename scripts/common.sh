# Shared by the scripts: repository root, mpirun as root, the release binary.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
if [ "$(id -u)" -eq 0 ]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
# XCNN=/path/to/xcnn runs another binary (an experiment on a copy while the tree rebuilds).
xcnn="${XCNN:-$root/.build/release/xcnn}"
# The release binary, and on x86-64 its AVX-512 build installed beside it as avx512/xcnn (its own
# scratch path, .build-avx512), which the first hands over to on CPUs with AVX-512 (XCNN_SIMD=avx2
# keeps the AVX2 build). Extra arguments go to both builds (e.g. --static-swift-stdlib).
avx512_xcnn="$root/.build/release/avx512/xcnn"
build_release() {
  swift build -c release --product xcnn "$@" 2>&1 | grep -Ev '^\[[0-9]+/[0-9]+\]' || true
  [ -x "$xcnn" ] || { echo "build failed" >&2; exit 1; }
  if [ "$(uname -m)" = x86_64 ] && [ "${XCNN_TARGET_CPU:-haswell}" = haswell ]; then
    XCNN_TARGET_CPU=skylake-avx512 swift build -c release --product xcnn --scratch-path "$root/.build-avx512" "$@" 2>&1 \
      | grep -Ev '^\[[0-9]+/[0-9]+\]' || true
    [ -x "$root/.build-avx512/release/xcnn" ] || { echo "AVX-512 build failed" >&2; exit 1; }
    install -D -m 755 "$root/.build-avx512/release/xcnn" "$avx512_xcnn"
  fi
}
# Whether this CPU runs the AVX-512 build (the flags -target-cpu skylake-avx512 may use).
cpu_has_avx512() {
  local flags; flags=$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null || true)
  for f in avx512f avx512bw avx512vl avx512dq avx512cd; do [[ " $flags " == *" $f "* ]] || return 1; done
}
# mpirun with passive waiting: on 2 vCPUs that sometimes share a core, polling ranks collapse.
run_mpi() {
  local np=$1; shift
  local extra=()
  [ "$np" -gt "$(nproc)" ] && extra+=(--oversubscribe)
  mpirun -np "$np" "${extra[@]}" --mca mpi_yield_when_idle 1 "$@"
}
# A test script's failure: the message, naming the script, and exit 1.
fail() { echo "FAIL (${0##*/}): $*" >&2; exit 1; }
# Waits until FILE exists, at most SECONDS (default 60); returns 1 when it never appears.
wait_for_file() {
  local file=$1 deadline=$(( $(date +%s) + ${2:-60} ))
  until [ -e "$file" ]; do
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.5
  done
}
# run_mpi under a time limit: SECONDS NP ARGS…; a hung job is killed (SIGKILL 5 s after SIGTERM)
# and the call returns 124 as timeout(1) does.
run_mpi_timeout() {
  local seconds=$1; shift
  timeout -k 5 "$seconds" bash -c "$(declare -f run_mpi); run_mpi \"\$@\"" _ "$@"
}
