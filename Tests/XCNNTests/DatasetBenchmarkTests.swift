// The data-path benchmark: a small run proves every stage is measured; with XCNN_DATASETS_BENCH=<file>
// (release build) it measures 224² throughput and the paper presets' counts for docs/perf/datasets.md.
import Datasets
import Foundation
import Testing

@testable import xcnn

@Suite struct DatasetBenchmarkTests {
    @Test func everyStageIsMeasured() throws {
        let directory = try scratchDirectory("bench")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let result = try DatasetBenchmark.run(side: 32, images: 4, directory: directory)
        for rate in [result.generationToDisk, result.generationInMemory, result.folderLoading, result.vocLoading] {
            #expect(rate > 0 && rate.isFinite)
        }
        #expect(result.description.contains("folder loading"))
    }

    static let reportPath = ProcessInfo.processInfo.environment["XCNN_DATASETS_BENCH"]

    /// Loading must stay under 5 % of a 224² step at batch 8 (about 2–3 s): at least ~60 images/s.
    @Test(.enabled(if: reportPath != nil))
    func paperSizedThroughputAndCounts() throws {
        let directory = try scratchDirectory("bench-224")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let result = try DatasetBenchmark.run(side: 224, images: 300, directory: directory)
        var report = ["benchmark: \(result)"]
        for name in GeneratorOptions.presetNames {
            let counts = DatasetCounts(
                generator: try SyntheticGenerator(options: GeneratorOptions.preset(named: name)!))
            report.append("\(name) (seed 0): \(counts)")
        }
        try (report.joined(separator: "\n") + "\n").write(toFile: Self.reportPath!, atomically: true, encoding: .utf8)
        #expect(result.folderLoading >= 60)
        #expect(result.vocLoading >= 60)
    }
}

/// A new empty directory under the system's temporary directory.
func scratchDirectory(_ name: String) throws -> String {
    let path = NSTemporaryDirectory() + "xcnn-tests-\(name)-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}
