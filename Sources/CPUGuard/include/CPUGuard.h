// The instruction set xcnn's Swift code was compiled for (Package.swift, XCNN_TARGET_CPU), checked
// against the CPU before any of that code runs.
#ifndef XCNN_CPU_GUARD_H
#define XCNN_CPU_GUARD_H

/// The -target-cpu the Swift code was built with ("haswell"; "skylake-avx512" for the AVX-512 build;
/// "generic" for the x86-64 baseline).
const char *xcnn_built_for_cpu(void);

#endif
