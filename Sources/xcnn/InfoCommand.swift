// `xcnn info`: what the binary runs on — BLAS library, core type, threads, MPI, rank and size.
import ArgumentParser
import Datasets
import Foundation
import Kernels
import MessagePassing

struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Print the BLAS and MPI libraries in use and one line per rank."
    )

    func run() throws {
        let blas = try BLASSetup.configure()
        let world = try Communicator.world()
        if world.rank == 0 {
            print(
                "xcnn \(XCNN.version), \(KernelBuild.summary(cpuFlags: BLASRuntime.cpuFlags(), executable: BLASSetup.executablePath()))"
            )
            print("BLAS: \(BLASRuntime.configuration)")
            print("BLAS core type: \(blas.coreName) (\(blas.origin.rawValue))")
            if let error = blas.gemmError {
                print("BLAS sgemm check against float64: worst scaled error \(String(format: "%.1e", error)) (passed)")
            }
            if let warning = blas.slowerThanCPUAllows { print("warning: \(warning)") }
            print(
                "BLAS threads per rank: \(blas.threads)\(blas.threadsFromEnvironment ? " (from the environment)" : "")")
            print("MPI: \(Communicator.libraryVersion)")
            print("images: libpng \(ImageLibraries.libpngVersion), libjpeg API \(ImageLibraries.libjpegVersion)")
            print(
                "world size: \(world.size)\(Communicator.launchedByMPIRun ? "" : " (singleton: not started by mpirun)")"
            )
        }
        // One line per rank, printed by rank 0 in rank order (output of different ranks reaches
        // mpirun's terminal in no particular order).
        let line =
            "rank \(world.rank) of \(world.size) on \(world.processorName): pid \(getpid()), "
            + "process \(BLASSetup.processName), BLAS \(blas.coreName) (\(blas.origin.rawValue)) × \(blas.threads) thread(s), "
            + "Swift kernels \(KernelBuild.builtFor)"
        for source in 0..<world.size {
            let received = try world.broadcast(bytes: Array(line.utf8), root: source)
            if world.rank == 0 { print(String(decoding: received, as: UTF8.self)) }
        }
    }
}
