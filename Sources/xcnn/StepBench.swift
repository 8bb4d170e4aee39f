// `xcnn bench step`: one process's training-step speed with the time split by layer kind and by
// convolution shape, so speed work sees where a step goes (docs/perf/network.md).
import ArgumentParser
import Foundation
import Kernels
import Network
import Training

struct StepBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "step",
        abstract: "Images/s of phase-3 training steps on random data, with seconds per layer kind and per convolution."
    )

    @Option(help: "Image side (divisible by 16).") var side = 64
    @Option(help: "Images per step.") var batch = 8
    @Option(help: "Timed steps after one warm-up step; images/s uses the median.") var steps = 10
    @Option(help: "Base width of the model (filters of the first level).") var baseWidth = 32
    @Option(
        help: """
            One algorithm for every 3×3 layer: \(Algorithm3x3.allCases.map(\.rawValue).joined(separator: ", ")) \
            (default: $\(ConvolutionSetting.variable), else the per-layer rule).
            """)
    var conv3x3: Algorithm3x3?
    @Flag(
        inversion: .prefixedNo,
        help: "Batch norm in the classifier's conv stages, as xcnn train's default (--no-… : the paper's classifier).")
    var classifierBatchNorm = TrainingConfiguration().classifierBatchNorm

    func validate() throws {
        guard side >= 16, side % 16 == 0 else { throw ValidationError("--side must be a multiple of 16, got \(side)") }
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1, got \(batch)") }
        guard steps >= 1 else { throw ValidationError("--steps must be at least 1, got \(steps)") }
        guard baseWidth >= 1 else { throw ValidationError("--base-width must be at least 1, got \(baseWidth)") }
    }

    func run() throws {
        let blas = try BLASSetup.configure()
        var configuration = ModelConfiguration(side: side)
        configuration.baseWidth = baseWidth
        configuration.classifierBatchNorm = classifierBatchNorm
        configuration.convolution3x3 = try conv3x3 ?? ConvolutionSetting.fromEnvironment()
        let report = try StepBenchmark.run(configuration: configuration, batch: batch, steps: steps)
        print(
            "# core \(blas.coreName) (\(blas.origin.rawValue)), threads \(blas.threads); Swift kernels \(KernelBuild.builtFor)"
        )
        print(
            String(
                format: "step side=%d batch=%d images_per_s=%.2f seconds_per_step=%.4f", side, batch,
                report.imagesPerSecond, report.secondsPerStep))
        let megabytes = { (floats: Int) in Double(floats * MemoryLayout<Float>.size) / 1e6 }
        print(
            String(format: "memory total=%.0f MB", megabytes(report.memory.map(\.count).reduce(0, +)))
                + report.memory.map { String(format: "; %@ %.0f", $0.name, megabytes($0.count)) }.joined())
        let total = report.secondsPerLayerKind.values.reduce(0, +)
        for (kind, seconds) in report.secondsPerLayerKind.sorted(by: { $0.value > $1.value }) {
            print(String(format: "kind %-15@ %8.2f ms %5.1f%%", kind, seconds * 1000, 100 * seconds / total))
        }
        for (name, entry) in report.secondsPerLayer.sorted(by: { $0.value.seconds > $1.value.seconds }) {
            print(
                String(
                    format: "layer %-32@ x%d %8.2f ms %5.1f%%", name, entry.calls, entry.seconds * 1000,
                    100 * entry.seconds / total))
        }
    }
}
