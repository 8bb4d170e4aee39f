// Every input the Training fuzz targets found (Tests/Fuzz/<target>/findings, scripts/fuzz) replayed
// as a normal test. `NAME.input` is the raw fuzz input (scripts/fuzz TARGET 0 FILE replays it);
// `NAME.safetensors` is the file the target decoded from it.
import Foundation
import Testing
import Training

@Suite struct FuzzFindingsTests {
    static let fuzzRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fuzz").path

    /// Safetensors findings: each must be refused naming the file, never trap.
    static let safetensors = [
        // Shape numbers whose product overflows Int (FC13's kind): trapped before main's
        // field-case work bounded every header number; found by the structured half of the target.
        "crash-structured-shape-overflow"
    ]

    @Test func everyFindingHasATest() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: "\(Self.fuzzRoot)/safetensors/findings")
        let expected = Self.safetensors.flatMap { ["\($0).input", "\($0).safetensors"] }
        #expect(Set(files.filter { !$0.hasPrefix(".") }) == Set(expected))
        // git keeps no empty folder: a target without findings has no findings/ in a clone.
        let config = (try? FileManager.default.contentsOfDirectory(atPath: "\(Self.fuzzRoot)/config/findings")) ?? []
        #expect(config.filter { !$0.hasPrefix(".") }.isEmpty, "config findings without a test")
    }

    @Test(arguments: safetensors)
    func safetensorsFindingsAreRefusedNamingTheFile(name: String) throws {
        let path = "\(Self.fuzzRoot)/safetensors/findings/\(name).safetensors"
        let bytes = try CheckpointFile.readBytes(URL(fileURLWithPath: path))
        let error = #expect(throws: TrainingError.self) { _ = try Safetensors.decode(bytes, source: path) }
        #expect(error?.description.contains(path) == true, "\(error?.description ?? "")")
    }
}
