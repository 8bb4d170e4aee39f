// Runs before Swift's main: the Swift modules may be compiled for AVX2 + FMA (Package.swift sets
// -target-cpu haswell on x86-64), and on a CPU without them the first such instruction would kill
// the process with SIGILL somewhere arbitrary. This file is compiled for the baseline instruction
// set, so it can check and say what to do instead.
#include "CPUGuard.h"
#include <stdio.h>
#include <stdlib.h>

#ifndef XCNN_TARGET_CPU
#define XCNN_TARGET_CPU "generic"
#endif

const char *xcnn_built_for_cpu(void) { return XCNN_TARGET_CPU; }

#if defined(__x86_64__) && defined(XCNN_REQUIRES_AVX2)
__attribute__((constructor)) static void xcnn_check_cpu(void) {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return;
    fprintf(stderr,
            "error: this xcnn was built for CPUs with AVX2 and FMA (-target-cpu %s), and this CPU lacks them; "
            "rebuild it for the x86-64 baseline: XCNN_TARGET_CPU=generic swift build -c release\n",
            XCNN_TARGET_CPU);
    exit(1);
}
#endif
