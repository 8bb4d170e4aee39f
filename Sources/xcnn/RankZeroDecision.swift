// Decisions only rank 0 can make (it reads the files), shared with every rank by broadcast, so
// every rank acts on the same bytes even on nodes that do not see rank 0's disk.
import Foundation
import MessagePassing
import Training

/// What rank 0 resolved before training: configuration, run directory, checkpoint bytes.
struct TrainingPlan {
    var configuration: TrainingConfiguration
    var runDirectory: String
    var resume: Checkpoint?
    var best: Checkpoint?
}

enum RankZeroDecision {
    static func share(world: Communicator, _ decide: () throws -> PlanBytes) throws -> TrainingPlan {
        var fields: [[UInt8]]
        if world.rank == 0 {
            do {
                let plan = try decide()
                fields = [
                    Array("ok".utf8), Array(plan.configuration.utf8), Array(plan.runDirectory.utf8),
                    plan.resume ?? [], plan.best ?? [],
                ]
            } catch {
                fields = [Array((XCNN.isUsage(error) ? "usage" : "error").utf8), Array("\(error)".utf8), [], [], []]
            }
        } else {
            fields = Array(repeating: [], count: 5)
        }
        for i in fields.indices { fields[i] = try world.broadcast(bytes: fields[i], root: 0) }
        let status = String(decoding: fields[0], as: UTF8.self)
        guard status == "ok" else {
            throw TrainingError.collective(String(decoding: fields[1], as: UTF8.self), usage: status == "usage")
        }
        let configuration = try TrainingConfiguration(json: Data(fields[1]), source: "configuration from rank 0")
        let runDirectory = String(decoding: fields[2], as: UTF8.self)
        let resume = fields[3].isEmpty ? nil : try CheckpointFile.decode(fields[3], source: "checkpoint from rank 0")
        let best = fields[4].isEmpty ? nil : try CheckpointFile.decode(fields[4], source: "best checkpoint from rank 0")
        return TrainingPlan(configuration: configuration, runDirectory: runDirectory, resume: resume, best: best)
    }
}

/// Rank 0's decision as bytes: configuration JSON and raw checkpoint files.
struct PlanBytes {
    var configuration: String
    var runDirectory: String
    var resume: [UInt8]?
    var best: [UInt8]?
}

/// Runs the same fallible setup on every rank; when any rank fails, every rank throws the same
/// collective TrainingError carrying the lowest failing rank's message, so the job ends with one clear
/// error instead of an abort race.
enum RankAgreement {
    static func all<T>(_ world: Communicator, _ body: () throws -> T) throws -> T {
        var result: Result<T, Error>
        do { result = .success(try body()) } catch { result = .failure(error) }
        var failed = [0.0]
        if case .failure = result { failed[0] = 1 }
        let flags = try world.allgather(failed)
        guard let first = flags.firstIndex(where: { $0[0] > 0 }) else { return try result.get() }
        var message: [UInt8] = []
        if case .failure(let error) = result, world.rank == first { message = Array("\(error)".utf8) }
        let text = String(decoding: try world.broadcast(bytes: message, root: first), as: UTF8.self)
        throw TrainingError.collective(first == 0 ? text : "rank \(first): \(text)")
    }
}
