// What the loaded OpenBLAS is doing (core type, threads) and the decision of which core type it
// should use on this CPU. OpenBLAS reads OPENBLAS_CORETYPE once, when the library loads, so the
// executable acts on `coreTypeOverride` by re-executing itself before any work.
import CBLAS
import Foundation

public enum BLASRuntime {
    /// The kernel family the library picked, lower-cased (e.g. "prescott", "skylakex").
    public static var coreName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name).lowercased()
    }

    /// The library's build description, e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY ...".
    public static var configuration: String {
        guard let text = openblas_get_config() else { return "unknown" }
        return String(cString: text).trimmingCharacters(in: .whitespaces)
    }

    public static var threads: Int { Int(openblas_get_num_threads()) }

    public static func setThreads(_ count: Int) {
        precondition(count >= 1, "BLAS thread count must be at least 1")
        openblas_set_num_threads(Int32(count))
    }

    /// Core types that are at least as fast as `wanted` on a CPU that supports `wanted`.
    private static let atLeast: [String: Set<String>] = [
        "skylakex": ["skylakex", "cooperlake", "sapphirerapids"],
        "haswell": ["haswell", "zen", "skylakex", "cooperlake", "sapphirerapids"],
    ]

    /// The OPENBLAS_CORETYPE to force, or nil when the library's own choice is already right.
    /// Debian's OpenBLAS 0.3.21 does not recognise recent Intel CPUs and falls back to its SSE3
    /// "Prescott" kernels, about 5× below what AVX-512 kernels reach (SPEC §6).
    public static func coreTypeOverride(cpuFlags: Set<String>, loadedCore: String) -> String? {
        let wanted: String
        if cpuFlags.isSuperset(of: ["avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd"]) {
            wanted = "SkylakeX"
        } else if cpuFlags.isSuperset(of: ["avx2", "fma"]) {
            wanted = "Haswell"
        } else {
            return nil
        }
        let acceptable = atLeast[wanted.lowercased()] ?? []
        return acceptable.contains(loadedCore.lowercased()) ? nil : wanted
    }

    /// The CPU's feature flags from /proc/cpuinfo (empty where that file does not exist).
    public static func cpuFlags(cpuinfo: String? = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))
        -> Set<String>
    {
        guard let cpuinfo else { return [] }
        for line in cpuinfo.split(separator: "\n") where line.hasPrefix("flags") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
        }
        return []
    }
}
