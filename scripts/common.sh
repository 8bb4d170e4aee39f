# Shared by the scripts: repository root, mpirun as root, the release binary.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
if [ "$(id -u)" -eq 0 ]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
# XCNN=/path/to/xcnn runs another binary (an experiment on a copy while the tree rebuilds).
xcnn="${XCNN:-$root/.build/release/xcnn}"
build_release() {
  swift build -c release --product xcnn 2>&1 | grep -Ev '^\[[0-9]+/[0-9]+\]' || true
  [ -x "$xcnn" ] || { echo "build failed" >&2; exit 1; }
}
# mpirun with passive waiting: on 2 vCPUs that sometimes share a core, polling ranks collapse.
run_mpi() {
  local np=$1; shift
  local extra=()
  [ "$np" -gt "$(nproc)" ] && extra+=(--oversubscribe)
  mpirun -np "$np" "${extra[@]}" --mca mpi_yield_when_idle 1 "$@"
}
