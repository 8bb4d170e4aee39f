// The files of one run: resolved config, metrics, and per phase a `latest` and a `best` checkpoint.
import Foundation
import Network

public struct RunDirectory: Sendable {
    public enum Kind: String, Sendable { case latest, best }

    public let url: URL

    public init(path: String) {
        url = URL(fileURLWithPath: path, isDirectory: true).standardizedFileURL
    }

    public var configurationURL: URL { url.appendingPathComponent("config.json") }
    public var metricsURL: URL { url.appendingPathComponent("metrics.csv") }
    public var checkpointsURL: URL { url.appendingPathComponent("checkpoints", isDirectory: true) }

    public func checkpointURL(phase: Phase, kind: Kind) -> URL {
        checkpointsURL.appendingPathComponent("phase\(phase.rawValue)-\(kind.rawValue).safetensors")
    }

    /// Whether a checkpoint file is present (valid or not). Temporary files (`.NAME.tmp-PID`, left
    /// by a writer killed before its rename) do not count: a run killed during its first checkpoint
    /// write must start again with its flags (found by scripts/chaos).
    public var holdsCheckpoints: Bool {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: checkpointsURL.path)) ?? []
        return names.contains { !$0.hasPrefix(".") && $0.hasSuffix(".safetensors") }
    }

    /// Removes the temporary files (`.NAME.tmp-PID`) that checkpoint writers killed before their
    /// rename left in checkpoints/ (scripts/chaos: one per kill during a write). Holding the run's
    /// lock proves that no other job is writing one now. Returns the names removed.
    public func removeTemporaryFiles(holding lock: RunLock) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: checkpointsURL.path)) ?? []
        return names.filter { $0.hasPrefix(".") && $0.contains(".safetensors.tmp-") }.sorted().filter {
            unlink(checkpointsURL.appendingPathComponent($0).path) == 0
        }
    }

    public func create() throws {
        do {
            try FileManager.default.createDirectory(at: checkpointsURL, withIntermediateDirectories: true)
        } catch {
            throw TrainingError("cannot create run directory \(url.path): \(error.localizedDescription)")
        }
    }

    public func saveConfiguration(_ configuration: TrainingConfiguration) throws {
        do {
            try Data((configuration.jsonText() + "\n").utf8).write(to: configurationURL, options: .atomic)
        } catch {
            throw TrainingError("cannot write \(configurationURL.path): \(error.localizedDescription)")
        }
    }

    /// The latest checkpoint that reads and verifies, furthest along in training, with the exact
    /// bytes that were verified (rank 0 broadcasts them); damaged files are reported in `skipped`
    /// (path and reason) rather than silently ignored.
    public func newestValidCheckpoint() throws -> (checkpoint: Checkpoint, bytes: [UInt8], url: URL, skipped: [String])?
    {
        var best: (checkpoint: Checkpoint, bytes: [UInt8], url: URL)?
        var skipped: [String] = []
        for phase in Phase.allCases {
            let url = checkpointURL(phase: phase, kind: .latest)
            guard FileManager.default.fileExists(atPath: url.path) else { continue }
            do {
                let bytes = try CheckpointFile.readBytes(url)
                let checkpoint = try CheckpointFile.decode(bytes, source: url.path)
                if best.map({ checkpoint.cursor.isAhead(of: $0.checkpoint.cursor) }) ?? true {
                    best = (checkpoint, bytes, url)
                }
            } catch {
                skipped.append("\(error)")
            }
        }
        guard let best else {
            if !skipped.isEmpty {
                throw TrainingError("no valid checkpoint in \(checkpointsURL.path): \(skipped.joined(separator: "; "))")
            }
            return nil
        }
        return (best.checkpoint, best.bytes, best.url, skipped)
    }
}
