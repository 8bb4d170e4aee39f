// `xcnn bench step`'s measurement charges time to every layer kind of a training step.
import Network
import Testing

@testable import xcnn

@Suite struct StepBenchmarkTests {
    @Test func stepBenchmarkReportsThroughputAndLayerKinds() throws {
        let report = try StepBenchmark.run(
            configuration: ModelConfiguration(side: 16, baseWidth: 2, hidden: 4), batch: 2, steps: 2)
        #expect(report.imagesPerSecond > 0 && report.secondsPerStep > 0)
        for kind in ["conv3x3", "transposedConv", "pooling", "batchNorm", "elementwise", "dense", "loss", "optimizer"] {
            #expect((report.secondsPerLayerKind[kind] ?? 0) > 0, "no time charged to \(kind)")
        }
    }
}
