// Puts OpenBLAS on the right kernels before any work. The library reads OPENBLAS_CORETYPE when it
// loads (before main), so when its own choice is too slow for this CPU the process re-executes
// itself once with the variable set (`Startup`). A user's OPENBLAS_CORETYPE or thread count is respected.
import Foundation
import Kernels

struct BLASState {
    enum Origin: String {
        case library = "chosen by OpenBLAS"
        case xcnn = "set by xcnn for this CPU"
        case user = "OPENBLAS_CORETYPE from the environment"
    }
    let coreName: String
    let origin: Origin
    let threads: Int
    let threadsFromEnvironment: Bool
    /// Worst scaled error of sgemm against a float64 loop; checked whenever the core type is forced.
    let gemmError: Double?
    /// Set when the environment forces kernels slower than this CPU supports.
    let slowerThanCPUAllows: String?
}

enum BLASSetup {
    static let markerVariable = "XCNN_BLAS_CORETYPE_SET"
    static let threadMarkerVariable = "XCNN_BLAS_THREADS_SET"
    static let threadVariables = ["OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "OMP_NUM_THREADS"]
    /// Largest acceptable scaled error of the sgemm check: float32 sums of 75 products land near
    /// 1e-7; an error 100× that means broken kernels, not rounding.
    static let gemmTolerance = 1e-5

    /// Sets OPENBLAS_CORETYPE (and one BLAS thread) for a re-execution when the loaded library
    /// picked slow kernels; returns whether it did (the caller re-executes, `Startup`).
    /// `XCNN_BLAS_OVERRIDE=force` asks for the re-execution even when the library's choice is right
    /// (with the core it loaded, or the faster one this CPU allows), so tests cover this path on every CPU.
    static func prepareReexecution() -> Bool {
        let environment = ProcessInfo.processInfo.environment
        let override = environment["XCNN_BLAS_OVERRIDE"]
        guard environment["OPENBLAS_CORETYPE"] == nil, environment[markerVariable] == nil, override != "0"
        else { return false }
        let needed = BLASRuntime.coreTypeOverride(cpuFlags: BLASRuntime.cpuFlags(), loadedCore: BLASRuntime.coreName)
        guard let wanted = needed ?? (override == "force" ? BLASRuntime.coreName : nil) else { return false }
        setenv("OPENBLAS_CORETYPE", wanted, 1)
        setenv(markerVariable, wanted, 1)
        if !threadVariables.contains(where: { environment[$0] != nil }) {
            setenv("OPENBLAS_NUM_THREADS", "1", 1)
            setenv(threadMarkerVariable, "1", 1)
        }
        return true
    }

    /// Takes back `prepareReexecution` after execv failed: the process carries on with the slow
    /// kernels, and `configure` reports them as the library's choice.
    static func undoReexecution() {
        unsetenv("OPENBLAS_CORETYPE")
        unsetenv(markerVariable)
        if ProcessInfo.processInfo.environment[threadMarkerVariable] != nil {
            unsetenv("OPENBLAS_NUM_THREADS")
            unsetenv(threadMarkerVariable)
        }
    }

    /// The running binary's resolved path, or nil when it cannot be read or no longer exists
    /// (replaced by a rebuild while running: the kernel then reports "… (deleted)").
    static func executablePath() -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard length > 0 else { return nil }
        let path = String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return access(path, X_OK) == 0 ? path : nil
    }

    /// The kernel's name for this process (`/proc/self/comm`), as `ps` and `pgrep` show it.
    static var processName: String {
        let text = (try? String(contentsOfFile: "/proc/self/comm", encoding: .utf8)) ?? "unknown"
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Sets the thread count (one per rank unless the environment says otherwise) and verifies
    /// sgemm whenever the core type was forced.
    static func configure() throws -> BLASState {
        let environment = ProcessInfo.processInfo.environment
        let threadsFromEnvironment =
            environment[threadMarkerVariable] == nil
            && threadVariables.contains(where: { environment[$0] != nil })
        if !threadsFromEnvironment { BLASRuntime.setThreads(1) }
        let origin: BLASState.Origin
        if environment[markerVariable] != nil && environment["OPENBLAS_CORETYPE"] == environment[markerVariable] {
            origin = .xcnn
        } else if environment["OPENBLAS_CORETYPE"] != nil {
            origin = .user
        } else {
            origin = .library
        }
        var gemmError: Double? = nil
        if origin != .library {
            let error = GEMMCheck.worstScaledError()
            gemmError = error
            guard error <= gemmTolerance else {
                throw CommandFailure(
                    "sgemm on OpenBLAS core type \(BLASRuntime.coreName) differs from a float64 loop "
                        + "by \(error) (scaled; limit \(gemmTolerance)); unset OPENBLAS_CORETYPE or set XCNN_BLAS_OVERRIDE=0"
                )
            }
        }
        var warning: String? = nil
        if origin == .user,
            let better = BLASRuntime.coreTypeOverride(
                cpuFlags: BLASRuntime.cpuFlags(),
                loadedCore: BLASRuntime.coreName)
        {
            warning =
                "OPENBLAS_CORETYPE=\(environment["OPENBLAS_CORETYPE"] ?? "") is set in the environment and kept, "
                + "but this CPU supports \(better) kernels (about 2× faster for sgemm here); unset OPENBLAS_CORETYPE to let xcnn choose"
        }
        return BLASState(
            coreName: BLASRuntime.coreName, origin: origin, threads: BLASRuntime.threads,
            threadsFromEnvironment: threadsFromEnvironment, gemmError: gemmError,
            slowerThanCPUAllows: warning)
    }
}
