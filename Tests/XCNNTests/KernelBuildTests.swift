// Which build of the kernels runs: the AVX-512 build on a CPU that has every flag it was compiled
// for and where it is installed, the AVX2 build otherwise or on request; requests that cannot be met
// are refused with a sentence.
import Testing

@testable import xcnn

@Suite struct KernelBuildTests {
    let avx512CPU: Set<String> = ["avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd"]
    let avx2CPU: Set<String> = ["avx2", "fma"]
    let variant = "/opt/xcnn/avx512/xcnn"

    func choose(_ request: String?, built: String = "haswell", cpu: Set<String>, exists: Bool = true) throws
        -> KernelBuild.Choice
    {
        try KernelBuild.choose(
            request: request, builtFor: built, cpuFlags: cpu, variantPath: variant, variantExists: exists)
    }

    @Test func theAVX512BuildRunsWhereTheCPUHasItAndItIsInstalled() throws {
        #expect(try choose(nil, cpu: avx512CPU) == .execute(variant))
        #expect(try choose("auto", cpu: avx512CPU) == .execute(variant))
        #expect(try choose("avx512", cpu: avx512CPU) == .execute(variant))
        #expect(KernelBuild.variantPath(executable: "/opt/xcnn/xcnn") == variant)
    }

    @Test func theAVX2BuildStaysWithoutTheCPUTheBuildOrOnRequest() throws {
        #expect(try choose(nil, cpu: avx2CPU) == .stay)
        // Zen 3 and Cascade Lake-less Xeons: avx512f alone is not enough for -target-cpu skylake-avx512.
        #expect(try choose(nil, cpu: avx2CPU.union(["avx512f"])) == .stay)
        #expect(try choose(nil, cpu: avx512CPU, exists: false) == .stay)
        #expect(try choose("avx2", cpu: avx512CPU) == .stay)
        // The AVX-512 build itself never hands over again.
        #expect(try choose(nil, built: "skylake-avx512", cpu: avx512CPU) == .stay)
        #expect(try choose("avx512", built: "skylake-avx512", cpu: avx512CPU) == .stay)
    }

    @Test func requestsThatCannotBeMetAreRefusedWithTheReason() {
        #expect(throws: CommandFailure.self) { try choose("avx1024", cpu: avx512CPU) }
        let noCPU = #expect(throws: CommandFailure.self) { try choose("avx512", cpu: avx2CPU.union(["avx512f"])) }
        #expect(
            noCPU?.description
                == "XCNN_SIMD=avx512, but this CPU lacks avx512bw, avx512cd, avx512dq, avx512vl; unset XCNN_SIMD to run the AVX2 build"
        )
        let noBuild = #expect(throws: CommandFailure.self) { try choose("avx512", cpu: avx512CPU, exists: false) }
        #expect(noBuild?.description.hasPrefix("XCNN_SIMD=avx512, but there is no AVX-512 build at \(variant)") == true)
        let wrongBuild = #expect(throws: CommandFailure.self) {
            try choose("avx2", built: "skylake-avx512", cpu: avx512CPU)
        }
        #expect(wrongBuild?.description.hasPrefix("XCNN_SIMD=avx2, but this binary is xcnn's AVX-512 build") == true)
    }
}
