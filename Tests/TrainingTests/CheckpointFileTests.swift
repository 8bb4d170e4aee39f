// Checkpoints round-trip exactly, and every kind of damage is refused with the file named.
import Foundation
import Network
import Testing

@testable import Training

@Suite struct CheckpointFileTests {
    static func sample() -> Checkpoint {
        let tensors = [
            NamedTensor(
                name: "explainer.enc1.conv1.weight", shape: [2, 3, 3, 3], values: (0..<54).map { Float($0) * 0.25 - 3 }),
            NamedTensor(name: "explainer.enc1.conv1.bias", shape: [2], values: [.leastNonzeroMagnitude, -0.0]),
            NamedTensor(name: "optimizer.explainer.enc1.conv1.bias.square_avg", shape: [2], values: [1e-30, 7]),
        ]
        let cursor = TrainingCursor(
            phase: .explainerOnly, epoch: 3, batchInEpoch: 4, globalStep: 55, worldSize: 2,
            seed: 0xFFFF_FFFF_FFFF_FFF1, bestValidationLoss: 0.125, bestEpoch: 1)
        return Checkpoint(tensors: tensors, cursor: cursor, configuration: #"{"side":32}"#)
    }

    static func temporaryDirectory() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("xcnn-ckpt-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func roundTripKeepsEveryBitAndTheCursor() throws {
        let url = Self.temporaryDirectory().appendingPathComponent("a.safetensors")
        let original = Self.sample()
        try CheckpointFile.write(original, to: url)
        let loaded = try CheckpointFile.read(url)
        #expect(loaded.cursor == original.cursor)
        #expect(loaded.configuration == original.configuration)
        #expect(loaded.tensors.map(\.name) == original.tensors.map(\.name))
        for (a, b) in zip(loaded.tensors, original.tensors) {
            #expect(a.shape == b.shape)
            #expect(a.values.map(\.bitPattern) == b.values.map(\.bitPattern))
        }
        // No temporary file is left beside the checkpoint.
        let left = try FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path)
        #expect(left == ["a.safetensors"])
    }

    @Test func classNamesRoundTripAndOldCheckpointsHaveNone() throws {
        let directory = Self.temporaryDirectory()
        var named = Self.sample()
        named.classes = ["Ant", "cat", "zebra"]
        try CheckpointFile.write(named, to: directory.appendingPathComponent("named"))
        #expect(try CheckpointFile.read(directory.appendingPathComponent("named")).classes == ["Ant", "cat", "zebra"])
        try CheckpointFile.write(Self.sample(), to: directory.appendingPathComponent("plain"))
        #expect(try CheckpointFile.read(directory.appendingPathComponent("plain")).classes == nil)
    }

    @Test func sameContentGivesSameBytes() throws {
        let directory = Self.temporaryDirectory()
        try CheckpointFile.write(Self.sample(), to: directory.appendingPathComponent("a"))
        try CheckpointFile.write(Self.sample(), to: directory.appendingPathComponent("b"))
        #expect(
            try Data(contentsOf: directory.appendingPathComponent("a"))
                == Data(contentsOf: directory.appendingPathComponent("b")))
    }

    @Test func truncatedFileIsRefusedWithItsPath() throws {
        let url = Self.temporaryDirectory().appendingPathComponent("t.safetensors")
        try CheckpointFile.write(Self.sample(), to: url)
        let bytes = try Data(contentsOf: url)
        for length in [0, 5, 8, 40, bytes.count - 1] {
            try bytes.prefix(length).write(to: url)
            let error = #expect(throws: TrainingError.self) { try CheckpointFile.read(url) }
            #expect(error?.description.contains(url.path) == true)
        }
    }

    @Test func alteredValueFailsTheChecksum() throws {
        let url = Self.temporaryDirectory().appendingPathComponent("x.safetensors")
        try CheckpointFile.write(Self.sample(), to: url)
        var bytes = [UInt8](try Data(contentsOf: url))
        bytes[bytes.count - 3] ^= 0x10
        try Data(bytes).write(to: url)
        let error = #expect(throws: TrainingError.self) { try CheckpointFile.read(url) }
        #expect(error?.description.contains("checksum mismatch") == true)
    }

    @Test func foreignSafetensorsIsRefused() throws {
        let url = Self.temporaryDirectory().appendingPathComponent("f.safetensors")
        let bytes = try Safetensors.encode([NamedTensor(name: "w", shape: [1], values: [1])], metadata: [:])
        try Data(bytes).write(to: url)
        let error = #expect(throws: TrainingError.self) { try CheckpointFile.read(url) }
        #expect(error?.description.contains("not an xcnn checkpoint") == true)
    }

    @Test func missingFileIsAnErrorNamingIt() {
        let url = URL(fileURLWithPath: "/nonexistent/xcnn/ckpt.safetensors")
        let error = #expect(throws: TrainingError.self) { try CheckpointFile.read(url) }
        #expect(error?.description.contains(url.path) == true)
    }

    @Test func pythonSafetensorsLayoutIsRespected() throws {
        // Header length little-endian, data 8-byte aligned, offsets relative to the data start.
        let bytes = try Safetensors.encode([NamedTensor(name: "w", shape: [2], values: [1, 2])], metadata: ["k": "v"])
        let headerLength = Int(bytes[0]) | Int(bytes[1]) << 8
        #expect((8 + headerLength) % 8 == 0)
        let header = try JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + headerLength)])) as? [String: Any]
        let entry = header?["w"] as? [String: Any]
        #expect(entry?["data_offsets"] as? [Int] == [0, 8])
        #expect(Array(bytes[(8 + headerLength)...]) == [0, 0, 0x80, 0x3F, 0, 0, 0, 0x40])
    }

    @Test func theLockHolderRemovesTemporaryFilesOfKilledWriters() throws {
        let run = RunDirectory(path: Self.temporaryDirectory().path)
        defer { try? FileManager.default.removeItem(at: run.url) }
        try run.create()
        let latest = run.checkpointURL(phase: .explainerOnly, kind: .latest)
        try CheckpointFile.write(Self.sample(), to: latest)
        let leftovers = [".phase1-latest.safetensors.tmp-17", ".phase2-best.safetensors.tmp-4242"]
        for name in leftovers + [".hidden-notes", "notes.txt"] {
            try Data([1, 2, 3]).write(to: run.checkpointsURL.appendingPathComponent(name))
        }
        let lock = try RunLock(run)
        #expect(run.removeTemporaryFiles(holding: lock) == leftovers)
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: run.checkpointsURL.path).sorted()
                == [".hidden-notes", "notes.txt", "phase2-latest.safetensors"])
        #expect(run.removeTemporaryFiles(holding: lock).isEmpty)
    }

    @Test func chaosPauseSettingIsReadStrictly() {
        // scripts/chaos relies on these three points; anything else leaves the writer untouched.
        func text(_ setting: (point: CheckpointPause.Point, seconds: Double)?) -> String? {
            setting.map { "\($0.point.rawValue) \($0.seconds)" }
        }
        #expect(text(CheckpointPause.parse("write:2")) == "write 2.0")
        #expect(text(CheckpointPause.parse("rename:0.5")) == "rename 0.5")
        #expect(text(CheckpointPause.parse("renamed:1")) == "renamed 1.0")
        for text in [
            nil, "", "write", "write:", "write:0", "write:-1", "write:61", "fsync:1", "write:1:2", "write:nan",
        ] {
            #expect(CheckpointPause.parse(text) == nil, "\(text ?? "nil")")
        }
    }

    @Test func writingInTwoHalvesKeepsEveryByte() throws {
        // The chaos hook splits the write; the file must still be the encoder's bytes exactly.
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("halves.safetensors")
        try CheckpointFile.write(Self.sample(), to: url)
        let written = try CheckpointFile.readBytes(url)
        #expect(try CheckpointFile.decode(written, source: url.path).tensors == Self.sample().tensors)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["halves.safetensors"])
    }

    @Test func aTemporaryFileLeftByAKilledWriterIsNotACheckpoint() throws {
        // scripts/chaos: rank 0 killed during the first checkpoint write left only
        // `.phase1-latest.safetensors.tmp-PID`, and the run could be neither resumed nor started again.
        let run = RunDirectory(path: Self.temporaryDirectory().path)
        defer { try? FileManager.default.removeItem(at: run.url) }
        try run.create()
        #expect(!run.holdsCheckpoints)
        let latest = run.checkpointURL(phase: .classifierOnly, kind: .latest)
        let bytes = try Safetensors.encode(Self.sample().tensors, metadata: [:])
        try Data(bytes.prefix(bytes.count / 2)).write(
            to: run.checkpointsURL.appendingPathComponent(".\(latest.lastPathComponent).tmp-4242"))
        #expect(!run.holdsCheckpoints)
        #expect(try run.newestValidCheckpoint() == nil)
        try CheckpointFile.write(Self.sample(), to: latest)
        #expect(run.holdsCheckpoints)
        #expect(try run.newestValidCheckpoint()?.url.lastPathComponent == latest.lastPathComponent)
    }

    /// A safetensors file from a header's JSON text (padded as the reference writer pads) and data.
    static func file(header: String, data: [UInt8] = []) -> [UInt8] {
        var json = Array(header.utf8)
        while (json.count + 8) % 8 != 0 { json.append(0x20) }
        var bytes = [UInt8]()
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { bytes.append(contentsOf: $0) }
        return bytes + json + data
    }

    static let xcnnMetadata = #""__metadata__": {"format": "xcnn-checkpoint", "format_version": "1"}"#

    /// FC13 (../shared/field-cases): shapes whose products overflow, with offsets consistent with
    /// the wrapped or huge size. They trapped the process (exit 132), which defeated --resume's fallback.
    @Test(arguments: [
        (
            #"{"w": {"dtype": "F32", "shape": [4294967296, 4294967296], "data_offsets": [0, 0]}}"#,
            "tensor w: shape [4294967296, 4294967296] overflows (its element count is over 9223372036854775807)"
        ),
        (
            #"{"w": {"dtype": "F32", "shape": [4611686018427387904], "data_offsets": [0, 0]}}"#,
            "tensor w: shape [4611686018427387904] overflows (4611686018427387904 F32 values are over 9223372036854775807 bytes)"
        ),
        (
            #"{"w": {"dtype": "F32", "shape": [2305843009213693951], "data_offsets": [0, 9223372036854775804]}}"#,
            "tensor w ends at byte 9223372036854775804 of the data but the file holds 0 data bytes: truncated"
        ),
    ])
    func overflowingHeaderNumbersAreRefusedNamingFileAndTensor(header: String, reason: String) {
        let withMetadata = "{" + Self.xcnnMetadata + ", " + header.dropFirst()
        let error = #expect(throws: TrainingError.self) {
            try CheckpointFile.decode(Self.file(header: withMetadata), source: "run/x.safetensors")
        }
        #expect(error?.description == "run/x.safetensors: not a valid safetensors file: " + reason)
    }

    /// Every number of a header is bounded: none of these may trap or allocate what the file claims.
    @Test(arguments: [
        (#"{"w": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}}"#, "shape [-1] is not a list of integers"),
        (#"{"w": {"dtype": "F32", "shape": [1.5], "data_offsets": [0, 4]}}"#, "shape [1.5] is not a list of integers"),
        (#"{"w": {"dtype": "F32", "shape": [1e30], "data_offsets": [0, 4]}}"#, "is not a list of integers"),
        (
            #"{"w": {"dtype": "F32", "shape": [18446744073709551615], "data_offsets": [0, 4]}}"#,
            "is not a list of integers"
        ),
        (#"{"w": {"dtype": "F32", "shape": ["1"], "data_offsets": [0, 4]}}"#, "is not a list of integers"),
        (
            #"{"w": {"dtype": "F32", "shape": [1], "data_offsets": [-4, 0]}}"#,
            "data_offsets [-4, 0] is not two integers"
        ),
        (#"{"w": {"dtype": "F32", "shape": [1], "data_offsets": [0]}}"#, "data_offsets [0] is not two integers"),
        (
            #"{"w": {"dtype": "F32", "shape": [1], "data_offsets": [8, 4]}}"#,
            "data_offsets [8, 4] do not match shape [1]"
        ),
        (
            #"{"w": {"dtype": "F32", "shape": [1], "data_offsets": [9223372036854775800, 9223372036854775804]}}"#,
            "tensor w ends at byte 9223372036854775804"
        ),
        (#"{"w": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}"#, "data bytes 0..<4 belong to no tensor"),
        (
            #"{"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}, "v": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}"#,
            "overlaps"
        ),
        (#"{"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}"#, "data bytes 4..<8 belong to no tensor"),
        (#"{"w": {"dtype": "F16", "shape": [2], "data_offsets": [0, 4]}}"#, "tensor w has dtype F16"),
        (#"{"w": {"dtype": "F32", "shape": 2, "data_offsets": [0, 8]}}"#, "tensor w has a malformed entry"),
        (
            #"{"__metadata__": {"format": 2}, "w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}"#,
            "__metadata__ is not an object of strings"
        ),
    ])
    func hostileHeaderNumbersAreRefused(header: String, reason: String) {
        let error = #expect(throws: TrainingError.self) {
            try Safetensors.decode(Self.file(header: header, data: [UInt8](repeating: 0, count: 8)), source: "h")
        }
        #expect(error?.description.hasPrefix("h: not a valid safetensors file: ") == true)
        #expect(error?.description.contains(reason) == true, "was: \(error?.description ?? "")")
    }

    @Test func headerLengthsBeyondTheFileOrTheLimitAreRefused() {
        for length in [UInt64.max, UInt64(Int.max), 100_000_001, 64] {
            var bytes = [UInt8]()
            withUnsafeBytes(of: length.littleEndian) { bytes.append(contentsOf: $0) }
            bytes += Array("{}".utf8)
            let error = #expect(throws: TrainingError.self) { try Safetensors.decode(bytes, source: "h") }
            #expect(error?.description.contains("header length \(length)") == true)
        }
    }

    /// FC14: the reference library re-saves tensors in name order; xcnn writes its parameter layout.
    @Test func aReSaveInNameOrderWithReindentedMetadataVerifies() throws {
        let url = Self.temporaryDirectory().appendingPathComponent("a.safetensors")
        try CheckpointFile.write(Self.sample(), to: url)
        let (tensors, metadata) = try Safetensors.decode(CheckpointFile.readBytes(url), source: "a")
        #expect(tensors.map(\.name) == Self.sample().tensors.map(\.name))
        // What resave.py does: tensors sorted by name, the config re-dumped with indent=2, sort_keys=True.
        var resaved = metadata
        resaved["config"] = "{\n  \"side\": 32\n}"
        resaved["cursor"] = try String(
            decoding: JSONSerialization.data(
                withJSONObject: JSONSerialization.jsonObject(with: Data(metadata["cursor"]!.utf8)),
                options: [.prettyPrinted]), as: UTF8.self)
        let byName = tensors.sorted { $0.name < $1.name }
        #expect(byName.map(\.name) != tensors.map(\.name))
        let bytes = try Safetensors.encode(byName, metadata: resaved)
        let loaded = try CheckpointFile.decode(bytes, source: "resaved")
        #expect(loaded.cursor == Self.sample().cursor)
        #expect(
            Dictionary(uniqueKeysWithValues: loaded.tensors.map { ($0.name, $0.values.map(\.bitPattern)) })
                == Dictionary(
                    uniqueKeysWithValues: Self.sample().tensors.map { ($0.name, $0.values.map(\.bitPattern)) }))
        // An edited value in the metadata is refused as such, not as damaged tensor data.
        resaved["config"] = "{\"side\": 48}"
        let error = #expect(throws: TrainingError.self) {
            try CheckpointFile.decode(Safetensors.encode(byName, metadata: resaved), source: "edited")
        }
        #expect(error?.description.hasPrefix("edited: checksum mismatch in the metadata") == true)
        #expect(
            error?.description.hasSuffix(
                "its cursor or config was edited or damaged after xcnn wrote it (the tensors are intact)") == true)
    }

    @Test func theTensorChecksumIgnoresOrderButNotNamesShapesOrValues() {
        let tensors = Self.sample().tensors
        let base = Safetensors.checksum(tensors)
        #expect(Safetensors.checksum(tensors.reversed()) == base)
        var renamed = tensors
        renamed[0].name += "x"
        var reshaped = tensors
        reshaped[1].shape = [2, 1]
        var changed = tensors
        changed[2].values[0] = 2e-30
        var swapped = tensors  // the same values under each other's names
        (swapped[1].name, swapped[2].name) = (swapped[2].name, swapped[1].name)
        for other in [renamed, reshaped, changed, swapped] { #expect(Safetensors.checksum(other) != base) }
    }

    @Test func formatOneCheckpointsStillRead() throws {
        let sample = Self.sample()
        let metadata = [
            "format": "xcnn-checkpoint", "format_version": "1", "config": sample.configuration,
            "cursor": String(decoding: try JSONEncoder.sorted.encode(sample.cursor), as: UTF8.self),
            "checksum": Safetensors.fileOrderChecksum(sample.tensors),
        ]
        let loaded = try CheckpointFile.decode(Safetensors.encode(sample.tensors, metadata: metadata), source: "old")
        #expect(loaded.cursor == sample.cursor && loaded.tensors == sample.tensors)
    }

    /// The cursor's JSON with `phase` replaced, in a checkpoint whose checksums are right.
    static func checkpointBytes(cursorPhase: Int) throws -> [UInt8] {
        let sample = Self.sample()
        let cursor = String(decoding: try JSONEncoder.sorted.encode(sample.cursor), as: UTF8.self)
            .replacingOccurrences(of: #""phase":2"#, with: #""phase":\#(cursorPhase)"#)
        var metadata = [
            "format": "xcnn-checkpoint", "format_version": "2", "config": sample.configuration, "cursor": cursor,
        ]
        metadata["metadata_checksum"] = Safetensors.metadataChecksum(metadata)
        metadata["checksum"] = Safetensors.checksum(sample.tensors)
        return try Safetensors.encode(sample.tensors, metadata: metadata)
    }

    @Test func aCursorOutOfRangeIsRefused() throws {
        for phase in [9, 0, 7] {
            let error = #expect(throws: TrainingError.self) {
                try CheckpointFile.decode(Self.checkpointBytes(cursorPhase: phase), source: "c")
            }
            #expect(
                error?.description
                    == "c: the training cursor is out of range (phase \(phase), epoch 3, batch 4, step 55, ranks 2)")
        }
    }

    /// Every version writes a finished run's cursor with phase 4; this one reads it as the end of the run.
    @Test func aFinishedCursorReadsAsTheEndOfTheRunAndWritesAsPhaseFour() throws {
        let finished = try CheckpointFile.decode(Self.checkpointBytes(cursorPhase: 4), source: "c").cursor
        #expect(finished.phase == nil && finished.globalStep == 55)
        #expect(String(decoding: try JSONEncoder.sorted.encode(finished), as: UTF8.self).contains(#""phase":4"#))
    }

    @Test func theClassCountIsBoundedBeforeAModelIsBuiltFromIt() throws {
        for (shape, values) in [([Int](), 1), ([0, 4], 0), ([200_000, 1], 200_000), ([2], 2)] {
            let checkpoint = Checkpoint(
                tensors: [
                    NamedTensor(
                        name: "classifier.out.weight", shape: shape, values: [Float](repeating: 0, count: values))
                ],
                cursor: Self.sample().cursor, configuration: "{}")
            let error = #expect(throws: TrainingError.self) { try checkpoint.classCount(source: "c") }
            #expect(
                error?.description
                    == "c: tensor classifier.out.weight has shape \(shape); expected [classes, hidden] with 1 to 100000 classes"
            )
        }
        let good = Checkpoint(
            tensors: [
                NamedTensor(name: "classifier.out.weight", shape: [2, 3], values: [Float](repeating: 0, count: 6))
            ],
            cursor: Self.sample().cursor, configuration: "{}")
        #expect(try good.classCount(source: "c") == 2)
        #expect(throws: TrainingError.self) {
            try Checkpoint(tensors: [], cursor: Self.sample().cursor, configuration: "{}").classCount(source: "c")
        }
    }
}
