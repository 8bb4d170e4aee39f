// Checkpoints on disk: safetensors with xcnn's state in the metadata and a checksum of the tensors,
// written so that a crash at any moment leaves either the old file or the new one, never half.
import Foundation

/// Where training stands, enough to continue bit for bit. All randomness is counter-based (data
/// order from (seed, phase, epoch); dropout from (seed, global step, rank)), so the seed and the
/// counters are the whole RNG state.
public struct TrainingCursor: Codable, Equatable, Sendable {
    public var phase: Int
    /// Epoch within the phase, 0-based, and the number of batches of it already trained.
    public var epoch: Int
    public var batchInEpoch: Int
    /// Optimizer steps taken since the run started (all phases).
    public var globalStep: Int
    public var worldSize: Int
    public var seed: UInt64
    /// Best validation loss of this phase so far and the epoch that reached it.
    public var bestValidationLoss: Double?
    public var bestEpoch: Int?
    /// Sums over the current epoch's steps so far, so a resumed epoch reports what it would have.
    public var epochTotals = EpochTotals()

    public init(phase: Int, epoch: Int, batchInEpoch: Int, globalStep: Int, worldSize: Int, seed: UInt64,
                bestValidationLoss: Double? = nil, bestEpoch: Int? = nil) {
        self.phase = phase
        self.epoch = epoch
        self.batchInEpoch = batchInEpoch
        self.globalStep = globalStep
        self.worldSize = worldSize
        self.seed = seed
        self.bestValidationLoss = bestValidationLoss
        self.bestEpoch = bestEpoch
    }
}

/// Training metrics summed over the steps of an epoch, already reduced across ranks.
public struct EpochTotals: Codable, Equatable, Sendable {
    public var loss = 0.0
    public var correct = 0.0
    public var images = 0.0
    public var steps = 0.0
    public init() {}
}

public struct Checkpoint: Sendable {
    public var tensors: [NamedTensor]
    public var cursor: TrainingCursor
    /// The run's resolved configuration, as JSON text.
    public var configuration: String
    /// Names of the classes the model was trained on (label i is classes[i]); nil in checkpoints
    /// written before names were stored.
    public var classes: [String]?

    public init(tensors: [NamedTensor], cursor: TrainingCursor, configuration: String, classes: [String]? = nil) {
        self.tensors = tensors
        self.cursor = cursor
        self.configuration = configuration
        self.classes = classes
    }

    public func tensor(named name: String) -> NamedTensor? { tensors.first { $0.name == name } }
}

public enum CheckpointFile {
    static let formatVersion = "1"

    /// Writes to a temporary file beside `url`, fsyncs it, renames it over `url`, then fsyncs the
    /// directory so the rename itself survives a power loss.
    public static func write(_ checkpoint: Checkpoint, to url: URL) throws {
        let cursorJSON = String(decoding: try JSONEncoder.sorted.encode(checkpoint.cursor), as: UTF8.self)
        var metadata = [
            "format": "xcnn-checkpoint",
            "format_version": formatVersion,
            "cursor": cursorJSON,
            "config": checkpoint.configuration,
            "checksum": Safetensors.checksum(checkpoint.tensors),
        ]
        if let classes = checkpoint.classes {
            metadata["classes"] = String(decoding: try JSONEncoder.sorted.encode(classes), as: UTF8.self)
        }
        let bytes = try Safetensors.encode(checkpoint.tensors, metadata: metadata)
        let directory = url.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())")
        try writeAndSync(bytes, path: temporary.path)
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary.path)
            throw TrainingError("cannot rename \(temporary.path) to \(url.path): \(reason)")
        }
        try syncDirectory(directory.path)
    }

    /// Reads and verifies a checkpoint; a truncated, altered or foreign file is an error naming it.
    public static func read(_ url: URL) throws -> Checkpoint {
        try decode(readBytes(url), source: url.path)
    }

    /// The raw bytes of a file, for rank 0 to broadcast to ranks that may not see its disk.
    public static func readBytes(_ url: URL) throws -> [UInt8] {
        do {
            return [UInt8](try Data(contentsOf: url))
        } catch {
            throw TrainingError("cannot read checkpoint \(url.path): \(error.localizedDescription)")
        }
    }

    /// Parses and verifies checkpoint bytes; `source` names them in errors.
    public static func decode(_ bytes: [UInt8], source: String) throws -> Checkpoint {
        let (tensors, metadata) = try Safetensors.decode(bytes, source: source)
        guard metadata["format"] == "xcnn-checkpoint" else {
            throw TrainingError("\(source) is a safetensors file but not an xcnn checkpoint (no xcnn metadata)")
        }
        guard metadata["format_version"] == formatVersion else {
            throw TrainingError("\(source): checkpoint format \(metadata["format_version"] ?? "?") is not supported (expected \(formatVersion))")
        }
        let expected = metadata["checksum"] ?? ""
        let actual = Safetensors.checksum(tensors)
        guard expected == actual else {
            throw TrainingError("\(source): checksum mismatch (stored \(expected), computed \(actual)): the file was altered or damaged")
        }
        guard let cursorText = metadata["cursor"],
              let cursor = try? JSONDecoder().decode(TrainingCursor.self, from: Data(cursorText.utf8)) else {
            throw TrainingError("\(source): the training cursor in the metadata is missing or malformed")
        }
        var classes: [String]?
        if let classesText = metadata["classes"] {
            guard let names = try? JSONDecoder().decode([String].self, from: Data(classesText.utf8)) else {
                throw TrainingError("\(source): the class names in the metadata are malformed")
            }
            classes = names
        }
        return Checkpoint(tensors: tensors, cursor: cursor, configuration: metadata["config"] ?? "{}", classes: classes)
    }

    private static func writeAndSync(_ bytes: [UInt8], path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else {
            throw TrainingError("cannot create \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + written, bytes.count - written) }
            if result < 0 && errno == EINTR { continue }
            guard result > 0 else {
                let reason = String(cString: strerror(errno))
                unlink(path)
                throw TrainingError("cannot write \(path): \(reason)")
            }
            written += result
        }
        guard fsync(descriptor) == 0 else {
            throw TrainingError("cannot fsync \(path): \(String(cString: strerror(errno)))")
        }
    }

    private static func syncDirectory(_ path: String) throws {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY)
        guard descriptor >= 0 else { throw TrainingError("cannot open directory \(path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else {
            throw TrainingError("cannot fsync directory \(path): \(String(cString: strerror(errno)))")
        }
    }
}

extension JSONEncoder {
    /// Sorted keys, so equal values always give equal text (checkpoints are compared byte for byte).
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
}
