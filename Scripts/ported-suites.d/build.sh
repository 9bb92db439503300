#!/usr/bin/env bash
# Build the ported suites for Scripts/ported-suites (natively, gcc/g++ -O1 -g).
#
#   build.sh WORK JOBS
#
# Sources come from WORK (unpacked there by Scripts/ported-suites):
#   WORK/llvm/compiler-rt/test/tsan        compiler-rt's TSan tests
#   WORK/valgrind/{helgrind,drd,include}   valgrind's helgrind tests, the drd
#                                          tests helgrind's .vgtest files run
# and the port shims from this folder (tsan/, helgrind/). Binaries go to
# WORK/build/{tsan,helgrind}/, compiler output to .../log/NAME.log, and
# .../FAILED lists what did not build. A binary newer than its source, the
# shims and this script is kept (re-runs build nothing).
#
# TSan: every test in test/tsan/ and test/tsan/Linux/ whose name contains
# lock, mutex or deadlock (Darwin/ and libdispatch/ are Apple-only), linked
# against libtsanstub.so (tsan/tsanstub.c: the TSan runtime entry points the
# tests call, as no-ops, so that an LD_PRELOADed dept interposes the
# __tsan_mutex_* annotations it implements). A .c test whose RUN line
# compiles it with %clangxx is compiled as C++; deadlock_detector_stress_test
# is built once per -DLockType its RUN lines use; Linux/X becomes Linux_X.
# Helgrind: every helgrind/tests/*.c and *.cpp, and the drd/tests programs
# named by a helgrind .vgtest "prog:" line, with a stub config.h; valgrind's
# client requests are no-ops when the program does not run under valgrind.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work=${1:?usage: build.sh WORK JOBS}
jobs=${2:-1}

case "$(uname -m)" in
  x86_64) vga=amd64 ;;
  aarch64) vga=arm64 ;;
  *) echo "ported-suites: build: unsupported machine $(uname -m) (x86_64, aarch64)" >&2; exit 2 ;;
esac

# newest FILE...: the newest of the files (for "is the binary up to date")
newest() {
  local f n=""
  for f in "$@"; do
    if [ -z "$n" ] || [ "$f" -nt "$n" ]; then n=$f; fi
  done
  printf '%s\n' "$n"
}

# compile OUTDIR NAME SRC DEPSTAMP CC... : build OUTDIR/NAME from SRC unless
# it is newer than SRC and DEPSTAMP; CC... is the compiler command up to the
# source file (the link flags come from the array $link).
compile() {
  local out=$1 name=$2 src=$3 dep=$4; shift 4
  local bin=$out/$name
  if [ -x "$bin" ] && [ "$bin" -nt "$src" ] && [ "$bin" -nt "$dep" ]; then
    return 0
  fi
  rm -f "$bin"
  if (cd "$(dirname "$src")" && "$@" "$(basename "$src")" -x none "${link[@]}" -o "$bin") \
      >"$out/log/$name.log" 2>&1; then
    return 0
  fi
  echo "$name" >>"$out/FAILED"
  return 1
}

# throttle: wait until fewer than $jobs background builds run
throttle() {
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
}

# ---------------------------------------------------------------- TSan
T=$work/llvm/compiler-rt/test
B=$work/build/tsan
mkdir -p "$B/log"
: >"$B/FAILED"
dep=$(newest "$here/build.sh" "$here/tsan/tsanstub.c" "$here"/tsan/include/sanitizer/*.h)
if ! [ -f "$B/libtsanstub.so" ] || [ "$dep" -nt "$B/libtsanstub.so" ]; then
  gcc -O1 -g -shared -fPIC -o "$B/libtsanstub.so" "$here/tsan/tsanstub.c" || exit 1
fi
dep=$B/libtsanstub.so   # rebuilt whenever a shim changes, so it stands for them
# Our include/ first (sanitizer/tsan_interface.h wraps GCC's with #include_next;
# sanitizer/linux_syscall_hooks.h: no-op hooks), then compiler-rt's test/ for
# test.h's "sanitizer_common/print_address.h".
tcflags=(-O1 -g -pthread -w -I"$here/tsan/include" -I"$T")
link=(-L"$B" -ltsanstub "-Wl,-rpath,$B")
n=0
for src in "$T"/tsan/*.c "$T"/tsan/*.cpp "$T"/tsan/Linux/*.c "$T"/tsan/Linux/*.cpp; do
  [ -f "$src" ] || continue
  base=$(basename "${src%.*}")
  shopt -s nocasematch
  [[ $base =~ lock|mutex|deadlock ]] || { shopt -u nocasematch; continue; }
  shopt -u nocasematch
  case $src in */Linux/*) base=Linux_$base ;; esac
  case $src in
    *.cpp) cc=(g++) ;;
    *) if grep -q '^// *RUN:.*%clangxx' "$src"; then cc=(g++ -x c++); else cc=(gcc); fi ;;
  esac
  if [ "$base" = deadlock_detector_stress_test ]; then
    for t in PthreadMutex PthreadSpinLock PthreadRWLock PthreadRecursiveMutex; do
      throttle; compile "$B" "$base.$t" "$src" "$dep" "${cc[@]}" "${tcflags[@]}" -DLockType=$t &
      n=$((n + 1))
    done
  else
    throttle; compile "$B" "$base" "$src" "$dep" "${cc[@]}" "${tcflags[@]}" &
    n=$((n + 1))
  fi
done
wait
declare -A built
built[tsan]=$n

# ---------------------------------------------------------------- Helgrind
V=$work/valgrind
B=$work/build/helgrind
mkdir -p "$B/log"
: >"$B/FAILED"
cp -p "$here/helgrind/config.h" "$V/config.h"   # the tests include "../../config.h"
dep=$(newest "$here/build.sh" "$V/config.h" "$V/include/valgrind.h")
link=(-lpthread)
hcflags=(-I"$V" -I"$V/include" "-DVGA_$vga=1" -DVGO_linux=1 "-DVGP_${vga}_linux=1"
         "-DVGPV_${vga}_linux_vanilla=1" -O1 -g -pthread -w)
srcs=("$V"/helgrind/tests/*.c "$V"/helgrind/tests/*.cpp)
# the drd programs helgrind's .vgtest files run (prog: ../../drd/tests/NAME)
while read -r prog; do
  for s in "$V/drd/tests/$prog.c" "$V/drd/tests/$prog.cpp"; do
    [ -f "$s" ] && srcs+=("$s")
  done
done < <(sed -n 's|^prog: *\.\./\.\./drd/tests/\([A-Za-z0-9_]*\).*|\1|p' "$V"/helgrind/tests/*.vgtest | sort -u)
n=0
for src in "${srcs[@]}"; do
  [ -f "$src" ] || continue
  case $src in *.cpp) cc=(g++) ;; *) cc=(gcc) ;; esac
  throttle; compile "$B" "$(basename "${src%.*}")" "$src" "$dep" "${cc[@]}" "${hcflags[@]}" &
  n=$((n + 1))
done
wait
built[helgrind]=$n

for s in tsan helgrind; do
  failed=$(sort "$work/build/$s/FAILED" | tr '\n' ' ')
  echo "ported-suites: $s: ${built[$s]} binaries, $(wc -l <"$work/build/$s/FAILED") failed${failed:+: $failed(logs in $work/build/$s/log)}" >&2
done
exit 0
