// Checkpoints on disk: safetensors with xcnn's state in the metadata and a checksum of the tensors,
// written so that a crash at any moment leaves either the old file or the new one, never half.
import Foundation

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

    /// The classes of the classifier's output layer ([classes, hidden]), bounded before a model is
    /// built from it: a file's numbers never size an allocation unchecked.
    public func classCount(source: String) throws -> Int {
        guard let out = tensor(named: "classifier.out.weight") else {
            throw TrainingError("\(source): no classifier.out.weight tensor (was it written by xcnn train?)")
        }
        guard out.shape.count == 2, (1...Self.maxClasses).contains(out.shape[0]) else {
            throw TrainingError(
                "\(source): tensor classifier.out.weight has shape \(out.shape); expected [classes, hidden] "
                    + "with 1 to \(Self.maxClasses) classes")
        }
        return out.shape[0]
    }

    static let maxClasses = 100_000
}

public enum CheckpointFile {
    /// 2: the checksum is independent of the tensors' order in the file and a second checksum covers
    /// the metadata. 1 (read only): one checksum over the tensors in file order, none over metadata.
    static let formatVersion = "2"
    static let readableVersions: Set<String> = ["1", "2"]

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
        metadata["metadata_checksum"] = Safetensors.metadataChecksum(metadata.filter { $0.key != "checksum" })
        let bytes = try Safetensors.encode(checkpoint.tensors, metadata: metadata)
        let directory = url.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())")
        try writeAndSync(bytes, path: temporary.path)
        CheckpointPause.pause(at: .rename)
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary.path)
            throw TrainingError("cannot rename \(temporary.path) to \(url.path): \(reason)")
        }
        CheckpointPause.pause(at: .renamed)
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
        let version = metadata["format_version"] ?? "?"
        guard readableVersions.contains(version) else {
            throw TrainingError(
                "\(source): checkpoint format \(version) is not supported (this xcnn reads formats "
                    + readableVersions.sorted().joined(separator: " and ") + ")")
        }
        let expected = metadata["checksum"] ?? ""
        if version == "1" {
            let actual = Safetensors.fileOrderChecksum(tensors)
            guard expected == actual else {
                throw TrainingError(
                    "\(source): checksum mismatch (stored \(expected), computed \(actual)): the file was altered or damaged "
                        + "(a format-1 checksum also depends on the order of the tensors in the file, so a re-save by "
                        + "another writer fails it too)")
            }
        } else {
            let actual = Safetensors.checksum(tensors)
            guard expected == actual else {
                throw TrainingError(
                    "\(source): checksum mismatch in the tensors (stored \(expected), computed \(actual)): the tensor data was altered or damaged"
                )
            }
            let expectedMetadata = metadata["metadata_checksum"] ?? ""
            let actualMetadata = Safetensors.metadataChecksum(
                metadata.filter { $0.key != "checksum" && $0.key != "metadata_checksum" })
            guard expectedMetadata == actualMetadata else {
                throw TrainingError(
                    "\(source): checksum mismatch in the metadata (stored \(expectedMetadata), computed \(actualMetadata)): "
                        + "its cursor or config was edited or damaged after xcnn wrote it (the tensors are intact)")
            }
        }
        let cursor: TrainingCursor
        do {
            cursor = try JSONDecoder().decode(TrainingCursor.self, from: Data((metadata["cursor"] ?? "").utf8))
        } catch let error as TrainingError {
            throw TrainingError(source, error.description)
        } catch {
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
        // Two halves, so that scripts/chaos can stop the writer between them (CheckpointPause).
        for end in [bytes.count / 2, bytes.count] {
            if end == bytes.count { CheckpointPause.pause(at: .write) }
            while written < end {
                let result = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + written, end - written) }
                if result < 0 && errno == EINTR { continue }
                guard result > 0 else {
                    let reason = String(cString: strerror(errno))
                    unlink(path)
                    throw TrainingError("cannot write \(path): \(reason)")
                }
                written += result
            }
        }
        guard fsync(descriptor) == 0 else {
            throw TrainingError("cannot fsync \(path): \(String(cString: strerror(errno)))")
        }
    }

    private static func syncDirectory(_ path: String) throws {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY)
        guard descriptor >= 0 else {
            throw TrainingError("cannot open directory \(path): \(String(cString: strerror(errno)))")
        }
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
