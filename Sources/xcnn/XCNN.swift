// The xcnn command line: the only place that prints, exits or aborts MPI.
import ArgumentParser
import Foundation
import MessagePassing
import Training

@main
struct XCNN: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "xcnn",
        abstract: "Data-parallel trainer for a CNN that explains its own decisions.",
        discussion: "Launch across ranks with mpirun, e.g. `mpirun -np 2 xcnn info`.",
        version: version,
        subcommands: [TrainCommand.self, GenerateCommand.self, ExplainCommand.self, EvaluateCommand.self, InspectCommand.self, DiagnoseCommand.self, InfoCommand.self, CheckMPICommand.self, BenchCommand.self]
    )

    static func main() {
        BLASSetup.reexecuteIfNeeded()
        var command: ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            exit(withError: error)
        }
        do {
            try command.run()
        } catch {
            // Help, clean exits and validation errors thrown from run() belong to ArgumentParser.
            if String(reflecting: type(of: error)).hasPrefix("ArgumentParser.") { exit(withError: error) }
            fail(error)
        }
        Communicator.finalize()
    }

    /// Reports an error and ends the process; under mpirun it ends every rank, so none hangs
    /// waiting for this one.
    static func fail(_ error: Error) -> Never {
        if error is CollectiveFailure, let world = try? Communicator.world() {
            // Every rank stopped at the same point: rank 0 speaks for all, and all exit cleanly.
            if world.rank == 0 { FileHandle.standardError.write(Data("xcnn: error: \(error)\n".utf8)) }
            Communicator.finalize()
            Foundation.exit(1)
        }
        if Communicator.launchedByMPIRun, let world = try? Communicator.world(), world.size > 1 {
            FileHandle.standardError.write(Data("xcnn: error on rank \(world.rank) of \(world.size): \(error)\n".utf8))
            world.abort(code: 1)
        }
        FileHandle.standardError.write(Data("xcnn: error: \(error)\n".utf8))
        Communicator.finalize()
        Foundation.exit(1)
    }
}
