// Checkpoints round-trip exactly, and every kind of damage is refused with the file named.
import Foundation
import Testing
@testable import Training

@Suite struct CheckpointFileTests {
    static func sample() -> Checkpoint {
        let tensors = [
            NamedTensor(name: "explainer.enc1.conv1.weight", shape: [2, 3, 3, 3], values: (0..<54).map { Float($0) * 0.25 - 3 }),
            NamedTensor(name: "explainer.enc1.conv1.bias", shape: [2], values: [.leastNonzeroMagnitude, -0.0]),
            NamedTensor(name: "optimizer.explainer.enc1.conv1.bias.square_avg", shape: [2], values: [1e-30, 7]),
        ]
        let cursor = TrainingCursor(phase: 2, epoch: 3, batchInEpoch: 4, globalStep: 55, worldSize: 2,
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
        #expect(try Data(contentsOf: directory.appendingPathComponent("a")) == Data(contentsOf: directory.appendingPathComponent("b")))
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
}
