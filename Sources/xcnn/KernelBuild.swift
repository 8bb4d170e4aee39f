// Which build of xcnn's Swift kernels runs: the default build targets AVX2 + FMA (Package.swift), and
// on a CPU with AVX-512 it hands the process to a second build compiled for it (32 vector registers
// spare the F(4×4) Winograd transforms their spills: a 64² step 4% faster, 224² 8–11% on an Intel
// Xeon, docs/perf/network.md), when that build is installed beside it as avx512/xcnn.
// XCNN_SIMD=avx2 keeps the AVX2 build.
import CPUGuard
import Foundation

enum KernelBuild {
    static let variable = "XCNN_SIMD"
    /// The -target-cpu of the AVX-512 build (scripts/common.sh, `build_release`).
    static let avx512TargetCPU = "skylake-avx512"
    /// Where the AVX-512 build lives, relative to the directory of the AVX2 binary. Its file is
    /// named xcnn too: the kernel names a process after the file it executes, and `ps`,
    /// `pgrep -x xcnn` and Slurm accounting must keep seeing `xcnn`.
    static let variantSubpath = "avx512/xcnn"
    /// What -target-cpu skylake-avx512 lets the compiler use (CPUGuard checks the same before main).
    static let avx512Flags: Set<String> = ["avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd"]

    enum Choice: Equatable {
        case stay
        case execute(String)
    }

    /// The AVX-512 build beside this binary: absent, older than this binary (built from other sources:
    /// `swift build` rebuilt only the AVX2 binary), or current (scripts/build-release installs it after
    /// the AVX2 build, so it is never older).
    enum Variant: Equatable {
        case missing, stale, current

        /// Compares modification times; a file that cannot be executed counts as missing.
        static func of(path: String?, executable: String?) -> Variant {
            guard let path, access(path, X_OK) == 0 else { return .missing }
            guard let executable, let mine = modified(executable), let theirs = modified(path) else { return .current }
            return theirs < mine ? .stale : .current
        }

        private static func modified(_ path: String) -> Date? {
            (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
        }
    }

    /// The -target-cpu this binary's Swift code was compiled for.
    static var builtFor: String { String(cString: xcnn_built_for_cpu()) }

    /// Decides from the request (XCNN_SIMD: nil or "auto", "avx2", "avx512"), this binary's target,
    /// the CPU's flags and the state of the AVX-512 build. Throws for a request that cannot be met.
    static func choose(
        request: String?, builtFor: String, cpuFlags: Set<String>, variantPath: String?, variant: Variant
    ) throws -> Choice {
        let request = request ?? "auto"
        guard ["auto", "avx2", "avx512"].contains(request) else {
            throw CommandFailure("\(variable) must be auto, avx2 or avx512, got '\(request)'")
        }
        if builtFor == avx512TargetCPU {
            guard request != "avx2" else {
                throw CommandFailure(
                    "\(variable)=avx2, but this binary is xcnn's AVX-512 build (-target-cpu \(builtFor)); "
                        + "run the AVX2 build (.build/release/xcnn) instead")
            }
            return .stay
        }
        guard request != "avx2" else { return .stay }
        let cpuHasAVX512 = cpuFlags.isSuperset(of: avx512Flags)
        if request == "avx512" {
            guard cpuHasAVX512 else {
                let missing = avx512Flags.subtracting(cpuFlags).sorted().joined(separator: ", ")
                throw CommandFailure(
                    "\(variable)=avx512, but this CPU lacks \(missing); unset \(variable) to run the AVX2 build")
            }
            guard let variantPath, variant != .missing else {
                throw CommandFailure(
                    "\(variable)=avx512, but there is no AVX-512 build at \(variantPath ?? "avx512/xcnn beside this binary"); "
                        + "build it with scripts/build-release, or unset \(variable)")
            }
            guard variant == .current else {
                throw CommandFailure(
                    "\(variable)=avx512, but the AVX-512 build at \(variantPath) is older than this binary "
                        + "(built from other sources); rebuild both with scripts/build-release, or unset \(variable)")
            }
            return .execute(variantPath)
        }
        guard cpuHasAVX512, let variantPath, variant == .current else { return .stay }
        return .execute(variantPath)
    }

    /// The AVX-512 build's path beside the running binary (nil when the binary's path is unknown).
    static func variantPath(executable: String?) -> String? {
        guard let executable else { return nil }
        return URL(fileURLWithPath: executable).deletingLastPathComponent().appendingPathComponent(variantSubpath).path
    }

    /// One line for `xcnn info`: which build runs, and why not the AVX-512 one on a CPU that has it.
    static func summary(cpuFlags: Set<String>, executable: String?) -> String {
        let built = builtFor
        if built == avx512TargetCPU { return "Swift kernels built for \(built) (AVX-512)" }
        let request = ProcessInfo.processInfo.environment[variable]
        var line = "Swift kernels built for \(built)"
        if cpuFlags.isSuperset(of: avx512Flags) {
            if request == "avx2" {
                line += " (\(variable)=avx2 keeps this build on an AVX-512 CPU)"
            } else if let path = variantPath(executable: executable) {
                switch Variant.of(path: path, executable: executable) {
                case .current: line += " (this CPU has AVX-512, but the AVX-512 build at \(path) could not be executed)"
                case .stale:
                    line +=
                        " (this CPU has AVX-512, but the AVX-512 build at \(path) is older than this binary "
                        + "and is not used: scripts/build-release rebuilds both)"
                case .missing:
                    line += " (this CPU has AVX-512, but no AVX-512 build at \(path): scripts/build-release makes it)"
                }
            }
        }
        return line
    }
}
