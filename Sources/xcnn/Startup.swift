// The one re-execution before any work: into the AVX-512 build of the kernels (KernelBuild), with
// OpenBLAS's core type set (BLASSetup), or both at once. Both must happen before main's work: the
// instruction set is fixed at compile time, and OpenBLAS reads its core type when it loads.
import Foundation
import Kernels

enum Startup {
    static func reexecuteIfNeeded() {
        let environment = ProcessInfo.processInfo.environment
        let executable = BLASSetup.executablePath()
        let variant = KernelBuild.variantPath(executable: executable)
        let choice: KernelBuild.Choice
        do {
            choice = try KernelBuild.choose(
                request: environment[KernelBuild.variable], builtFor: KernelBuild.builtFor,
                cpuFlags: BLASRuntime.cpuFlags(), variantPath: variant,
                variant: KernelBuild.Variant.of(path: variant, executable: executable))
        } catch {
            XCNN.failBeforeStart(error)
        }
        let blas = BLASSetup.prepareReexecution()
        if case .execute(let path) = choice {
            // argv is passed unchanged (argv[0] stays the path the user ran, so `pgrep -f` patterns
            // on the command line keep matching), and the file is named xcnn, so the process is too.
            execv(path, CommandLine.unsafeArgv)
            let reason = String(cString: strerror(errno))
            if environment[KernelBuild.variable] == "avx512" {
                XCNN.failBeforeStart(CommandFailure("cannot execute the AVX-512 build \(path): \(reason)"))
            }
            // Otherwise carry on in this build; `xcnn info` says that the AVX-512 build did not run.
        }
        guard blas else { return }
        // Execute the binary's real path, not /proc/self/exe: the kernel names the process after
        // the file it executes, and `ps`, `pgrep xcnn` and Slurm accounting must keep seeing `xcnn`.
        if let executable { execv(executable, CommandLine.unsafeArgv) }
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        // execv returned: it failed. Carry on with the slow kernels; `configure` reports it.
        BLASSetup.undoReexecution()
    }
}
