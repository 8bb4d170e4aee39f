// The core-type decision and the sgemm check that guards a forced core type.
import Kernels
import Testing

@Suite struct BLASRuntimeTests {
    static let avx512: Set<String> = ["fma", "avx2", "avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd"]

    @Test func prescottOnAnAVX512CPUIsOverriddenWithSkylakeX() {
        #expect(BLASRuntime.coreTypeOverride(cpuFlags: Self.avx512, loadedCore: "Prescott") == "SkylakeX")
        #expect(BLASRuntime.coreTypeOverride(cpuFlags: Self.avx512, loadedCore: "haswell") == "SkylakeX")
    }

    @Test func aGoodLibraryChoiceIsKept() {
        #expect(BLASRuntime.coreTypeOverride(cpuFlags: Self.avx512, loadedCore: "cooperlake") == nil)
        #expect(BLASRuntime.coreTypeOverride(cpuFlags: ["avx2", "fma"], loadedCore: "zen") == nil)
        #expect(BLASRuntime.coreTypeOverride(cpuFlags: ["sse3"], loadedCore: "prescott") == nil)
    }

    @Test func avx2WithoutAVX512GetsHaswell() {
        #expect(BLASRuntime.coreTypeOverride(cpuFlags: ["avx2", "fma"], loadedCore: "prescott") == "Haswell")
    }

    @Test func cpuFlagsAreReadFromCpuinfo() {
        let text = "processor\t: 0\nflags\t\t: fpu sse avx2 avx512f\nbogomips\t: 1\n"
        #expect(BLASRuntime.cpuFlags(cpuinfo: text) == ["fpu", "sse", "avx2", "avx512f"])
        #expect(BLASRuntime.cpuFlags(cpuinfo: nil).isEmpty)
    }

    @Test func loadedSGEMMAgreesWithFloat64Loop() {
        // float32 dot products of length 75 round to about 1e-7 of the largest entry.
        #expect(GEMMCheck.worstScaledError() < 1e-5)
    }
}
