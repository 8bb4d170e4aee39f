// Instruction throughput on one core: 20 independent vfmadd231ps zmm (16 fp32 multiply-accumulates
// each) against 20 independent vdpbf16ps zmm (32 bf16 multiply-accumulates into fp32 each), in GMAC/s,
// 7 interleaved pairs; and the CPUID bits for AMX and AVX512-BF16. scripts/bench-bf16 builds and runs
// it (docs/perf/bf16.md). Registers start at zero (no denormals); the loop is in the assembly.
#define _POSIX_C_SOURCE 200809L
#include <cpuid.h>
#include <stdio.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}

#define OPS(op)                                                                                            \
    op " %%zmm30,%%zmm31,%%zmm0\n" op " %%zmm30,%%zmm31,%%zmm1\n" op " %%zmm30,%%zmm31,%%zmm2\n" op          \
       " %%zmm30,%%zmm31,%%zmm3\n" op " %%zmm30,%%zmm31,%%zmm4\n" op " %%zmm30,%%zmm31,%%zmm5\n" op           \
       " %%zmm30,%%zmm31,%%zmm6\n" op " %%zmm30,%%zmm31,%%zmm7\n" op " %%zmm30,%%zmm31,%%zmm8\n" op           \
       " %%zmm30,%%zmm31,%%zmm9\n" op " %%zmm30,%%zmm31,%%zmm10\n" op " %%zmm30,%%zmm31,%%zmm11\n" op         \
       " %%zmm30,%%zmm31,%%zmm12\n" op " %%zmm30,%%zmm31,%%zmm13\n" op " %%zmm30,%%zmm31,%%zmm14\n" op        \
       " %%zmm30,%%zmm31,%%zmm15\n" op " %%zmm30,%%zmm31,%%zmm16\n" op " %%zmm30,%%zmm31,%%zmm17\n" op        \
       " %%zmm30,%%zmm31,%%zmm18\n" op " %%zmm30,%%zmm31,%%zmm19\n"
#define INIT                                                                                               \
    "vpxord %%zmm30,%%zmm30,%%zmm30\n vpxord %%zmm31,%%zmm31,%%zmm31\n"                                    \
    "vmovaps %%zmm30,%%zmm0\n vmovaps %%zmm30,%%zmm1\n vmovaps %%zmm30,%%zmm2\n vmovaps %%zmm30,%%zmm3\n"  \
    "vmovaps %%zmm30,%%zmm4\n vmovaps %%zmm30,%%zmm5\n vmovaps %%zmm30,%%zmm6\n vmovaps %%zmm30,%%zmm7\n"  \
    "vmovaps %%zmm30,%%zmm8\n vmovaps %%zmm30,%%zmm9\n vmovaps %%zmm30,%%zmm10\n vmovaps %%zmm30,%%zmm11\n" \
    "vmovaps %%zmm30,%%zmm12\n vmovaps %%zmm30,%%zmm13\n vmovaps %%zmm30,%%zmm14\n vmovaps %%zmm30,%%zmm15\n" \
    "vmovaps %%zmm30,%%zmm16\n vmovaps %%zmm30,%%zmm17\n vmovaps %%zmm30,%%zmm18\n vmovaps %%zmm30,%%zmm19\n"
#define CLOBBERS                                                                                          \
    "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11",      \
        "xmm12", "xmm13", "xmm14", "xmm15", "xmm16", "xmm17", "xmm18", "xmm19", "xmm30", "xmm31", "cc"

static double run(int bf16, long n) {
    double t0 = now();
    long i = n;
    if (bf16)
        __asm__ volatile(INIT "1:\n" OPS("vdpbf16ps") "dec %0\n jnz 1b\n" : "+r"(i) : : CLOBBERS);
    else
        __asm__ volatile(INIT "1:\n" OPS("vfmadd231ps") "dec %0\n jnz 1b\n" : "+r"(i) : : CLOBBERS);
    return 20.0 * n * (bf16 ? 32 : 16) / (now() - t0) / 1e9;
}

int main(void) {
    unsigned a, b, c, d;
    __cpuid_count(7, 0, a, b, c, d);
    printf("# CPUID 7.0 EDX: amx-bf16=%u amx-tile=%u amx-int8=%u; ", (d >> 22) & 1, (d >> 24) & 1, (d >> 25) & 1);
    __cpuid_count(7, 1, a, b, c, d);
    printf("7.1 EAX: avx512-bf16=%u\n", (a >> 5) & 1);
    for (int r = 0; r < 7; r++) {
        double f = run(0, 50000000), h = run(1, 50000000);
        printf("fp32 FMA %.1f GMAC/s  bf16 dot %.1f GMAC/s  ratio %.2f\n", f, h, h / f);
    }
    return 0;
}
