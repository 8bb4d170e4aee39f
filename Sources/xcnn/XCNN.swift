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
        subcommands: [
            TrainCommand.self, GenerateCommand.self, ExplainCommand.self, EvaluateCommand.self, ReportCommand.self,
            InspectCommand.self, DiagnoseCommand.self, InfoCommand.self, CheckMPICommand.self, BenchCommand.self,
        ]
    )

    static func main() {
        Startup.reexecuteIfNeeded()
        var command: ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            // Under mpirun every rank parses the same flags and refuses them alike, before MPI
            // starts: each exits with ArgumentParser's code (64 for a wrong flag), rank 0 alone
            // prints the message and the usage.
            if let rank = rankInEnvironment, rank != 0 { Foundation.exit(exitCode(for: error).rawValue) }
            exit(withError: error)
        }
        let ours = commandTypes(XCNN.self).contains { $0 == type(of: command) }
        do {
            try command.run()
        } catch let error where !ours {
            // ArgumentParser's built-in commands (help) report through ArgumentParser.
            exit(withError: error)
        } catch let error as ExitCode {
            exit(withError: error)
        } catch let error as CleanExit {
            exit(withError: error)
        } catch {
            fail(error, command: type(of: command))
        }
        Communicator.finalize()
    }

    /// A command and every subcommand below it: the commands whose errors xcnn reports itself.
    static func commandTypes(_ root: ParsableCommand.Type) -> [ParsableCommand.Type] {
        [root] + root.configuration.subcommands.flatMap(commandTypes)
    }

    /// An error found before the command line is parsed (the environment asks for what cannot run):
    /// the message and exit 1. Under mpirun every rank finds the same, and rank 0 alone prints it.
    static func failBeforeStart(_ error: Error) -> Never {
        if rankInEnvironment ?? 0 == 0 { FileHandle.standardError.write(Data("xcnn: error: \(error)\n".utf8)) }
        Foundation.exit(1)
    }

    /// Command names from `root` down to `target` ("xcnn", "bench", "step"); every command of xcnn
    /// names itself in its configuration (XCNNTests checks it), so no name is derived from a type.
    static func commandPath(to target: ParsableCommand.Type, from root: ParsableCommand.Type) -> [String]? {
        let name = root.configuration.commandName ?? ""
        if root == target { return [name] }
        for sub in root.configuration.subcommands {
            if let rest = commandPath(to: target, from: sub) { return [name] + rest }
        }
        return nil
    }

    /// The rank mpirun (or a PMI launcher) gave this process, read before MPI starts.
    static var rankInEnvironment: Int? {
        let environment = ProcessInfo.processInfo.environment
        return ["OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK"].lazy.compactMap { environment[$0].flatMap { Int($0) } }
            .first
    }

    /// A wrong command rather than a failed run: answered like ArgumentParser's own validation
    /// errors, with the usage line and EX_USAGE (64).
    static func isUsage(_ error: Error) -> Bool {
        switch error {
        case is ValidationError: return true
        case let error as TrainingError: return error.isUsage
        case let error as CommandFailure: return error.isUsage
        default: return false
        }
    }

    /// A usage error found while running (a --config file, a flag the run directory's state
    /// refuses): xcnn's own "xcnn: error:" line, then ArgumentParser's usage lines for `command`.
    static func usageMessage(_ error: Error, command: ParsableCommand.Type) -> String {
        let message = (error as? ValidationError)?.message ?? "\(error)"
        let path = commandPath(to: command, from: XCNN.self)?.joined(separator: " ") ?? "xcnn"
        return
            "xcnn: error: \(message)\nUsage: \(usageString(for: command))\n  See '\(path) --help' for more information.\n"
    }

    /// Reports an error and ends the process; under mpirun it ends every rank, so none hangs
    /// waiting for this one. Usage errors exit 64 with the usage line, others exit 1.
    static func fail(_ error: Error, command: ParsableCommand.Type) -> Never {
        let usage = isUsage(error)
        let code = usage ? ExitCode.validationFailure.rawValue : 1
        let text = usage ? usageMessage(error, command: command) : "xcnn: error: \(error)\n"
        if (error as? TrainingError)?.isCollective == true, let world = try? Communicator.world() {
            // Every rank stopped at the same point: rank 0 speaks for all, and all exit cleanly.
            if world.rank == 0 { FileHandle.standardError.write(Data(text.utf8)) }
            Communicator.finalize()
            Foundation.exit(code)
        }
        if Communicator.launchedByMPIRun, let world = try? Communicator.world(), world.size > 1 {
            FileHandle.standardError.write(Data("xcnn: error on rank \(world.rank) of \(world.size): \(error)\n".utf8))
            world.abort(code: code)
        }
        FileHandle.standardError.write(Data(text.utf8))
        Communicator.finalize()
        Foundation.exit(code)
    }
}
