// Runs before Swift's main: the Swift modules may be compiled for AVX2 + FMA (Package.swift sets
// -target-cpu haswell on x86-64) or, in the second build, for AVX-512, and on a CPU without them the first such instruction would kill
// the process with SIGILL somewhere arbitrary. This file is compiled for the baseline instruction
// set, so it can check and say what to do instead.
#include "CPUGuard.h"
#include <stdio.h>
#include <stdlib.h>

#ifndef XCNN_TARGET_CPU
#define XCNN_TARGET_CPU "generic"
#endif

const char *xcnn_built_for_cpu(void) { return XCNN_TARGET_CPU; }

#if defined(__x86_64__) && defined(XCNN_REQUIRES_AVX512)
// The AVX-512 build (KernelBuild in the xcnn target) is normally reached only through the AVX2
// build, which checks the same flags first; this catches it being run directly on another CPU.
__attribute__((constructor)) static void xcnn_check_cpu(void) {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") &&
        __builtin_cpu_supports("avx512cd"))
        return;
    fprintf(stderr,
            "error: this xcnn is the build for CPUs with AVX-512 (-target-cpu %s), and this CPU lacks "
            "avx512f/bw/vl/dq/cd; run the AVX2 build (.build/release/xcnn), which chooses by itself\n",
            XCNN_TARGET_CPU);
    exit(1);
}
#elif defined(__x86_64__) && defined(XCNN_REQUIRES_AVX2)
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
