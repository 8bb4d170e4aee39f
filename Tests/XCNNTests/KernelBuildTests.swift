// Which build of the kernels runs: the AVX-512 build on a CPU that has every flag it was compiled
// for and where it is installed, the AVX2 build otherwise or on request; requests that cannot be met
// are refused with a sentence.
import Foundation
import Testing

@testable import xcnn

@Suite struct KernelBuildTests {
    let avx512CPU: Set<String> = ["avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd"]
    let avx2CPU: Set<String> = ["avx2", "fma"]
    let variant = "/opt/xcnn/avx512/xcnn"

    func choose(
        _ request: String?, built: String = "haswell", cpu: Set<String>, state: KernelBuild.Variant = .current
    ) throws -> KernelBuild.Choice {
        try KernelBuild.choose(request: request, builtFor: built, cpuFlags: cpu, variantPath: variant, variant: state)
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
        #expect(try choose(nil, cpu: avx512CPU, state: .missing) == .stay)
        #expect(try choose("avx2", cpu: avx512CPU) == .stay)
        // An AVX-512 build older than this binary was built from other sources: never run it silently.
        #expect(try choose(nil, cpu: avx512CPU, state: .stale) == .stay)
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
        let noBuild = #expect(throws: CommandFailure.self) { try choose("avx512", cpu: avx512CPU, state: .missing) }
        #expect(noBuild?.description.hasPrefix("XCNN_SIMD=avx512, but there is no AVX-512 build at \(variant)") == true)
        let staleBuild = #expect(throws: CommandFailure.self) { try choose("avx512", cpu: avx512CPU, state: .stale) }
        #expect(
            staleBuild?.description.hasPrefix("XCNN_SIMD=avx512, but the AVX-512 build at \(variant) is older") == true)
        let wrongBuild = #expect(throws: CommandFailure.self) {
            try choose("avx2", built: "skylake-avx512", cpu: avx512CPU)
        }
        #expect(wrongBuild?.description.hasPrefix("XCNN_SIMD=avx2, but this binary is xcnn's AVX-512 build") == true)
    }
}

/// The variant's state from the files themselves: modification times decide stale or current.
@Suite struct KernelBuildVariantFileTests {
    @Test func anOlderAVX512BuildIsStaleAndAMissingOneMissing() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("xcnn-variant-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let main = dir.appendingPathComponent("xcnn").path
        let avx512 = dir.appendingPathComponent("avx512-xcnn").path
        for path in [main, avx512] {
            #expect(
                FileManager.default.createFile(
                    atPath: path, contents: Data([0]), attributes: [.posixPermissions: 0o755]))
        }
        let now = Date()
        try FileManager.default.setAttributes([.modificationDate: now], ofItemAtPath: main)
        try FileManager.default.setAttributes([.modificationDate: now.addingTimeInterval(-60)], ofItemAtPath: avx512)
        #expect(KernelBuild.Variant.of(path: avx512, executable: main) == .stale)
        try FileManager.default.setAttributes([.modificationDate: now.addingTimeInterval(1)], ofItemAtPath: avx512)
        #expect(KernelBuild.Variant.of(path: avx512, executable: main) == .current)
        #expect(KernelBuild.Variant.of(path: dir.appendingPathComponent("none").path, executable: main) == .missing)
    }
}
