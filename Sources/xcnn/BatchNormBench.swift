// `xcnn bench batchnorm`: milliseconds of the batch-norm kernels at the classifier's convolution shapes
// (a batch norm after each 3×3 convolution), so their share of a step can be weighed.
import ArgumentParser
import Foundation
import Kernels
import Training

struct BatchNormBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batchnorm",
        abstract: "ms of batch-norm forward (training) and backward at the classifier's shapes (N × C × side²)."
    )

    /// The classifier's 3×3 convolutions as (channels, side ÷ image side): two per level.
    static let classifierShapes: [(channels: Int, divisor: Int)] = [
        (32, 1), (32, 1), (64, 2), (64, 2), (128, 4), (128, 4), (256, 8), (256, 8),
    ]

    @Option(help: "Image side (divisible by 8).") var side = 64
    @Option(help: "Images per batch.") var batch = 8
    @Option(help: "Timed repetitions per shape; the median is reported.") var repeats = 7

    func validate() throws {
        guard side >= 8, side % 8 == 0 else { throw ValidationError("--side must be a multiple of 8, got \(side)") }
        guard batch >= 1, repeats >= 1 else { throw ValidationError("--batch and --repeats must be at least 1") }
    }

    func run() throws {
        print("# Swift kernels \(KernelBuild.builtFor); ms per call, medians of \(repeats)")
        var totals = (forward: 0.0, backward: 0.0)
        for shape in Self.classifierShapes {
            let (c, s) = (shape.channels, (side / shape.divisor) * (side / shape.divisor))
            let time = Self.measure(batch: batch, channels: c, size: s, repeats: repeats)
            totals.forward += time.forward
            totals.backward += time.backward
            print(
                String(
                    format: "batchnorm %dx%dx%d² forward %.3f backward %.3f total %.3f ms", batch, c,
                    side / shape.divisor, time.forward, time.backward, time.forward + time.backward))
        }
        print(
            String(
                format: "batchnorm side=%d batch=%d all %d layers: forward %.3f backward %.3f total %.3f ms", side,
                batch, Self.classifierShapes.count, totals.forward, totals.backward, totals.forward + totals.backward))
    }

    /// Median ms of forwardTraining + updateRunning and of backward on random data.
    static func measure(batch n: Int, channels c: Int, size s: Int, repeats: Int) -> (forward: Double, backward: Double)
    {
        var g = SplitMix64(seed: 7)
        let count = n * c * s
        // Convolution outputs sit off zero with a spread of about one: the shifted sums must not care.
        let x = (0..<count).map { _ in 0.5 + g.nextSymmetric(1) }
        let dy = (0..<count).map { _ in g.nextSymmetric(1) }
        let gamma = [Float](repeating: 1, count: c)
        let beta = [Float](repeating: 0, count: c)
        var y = [Float](repeating: 0, count: count)
        var dx = [Float](repeating: 0, count: count)
        var statistics = [Float](repeating: 0, count: 4 * c)
        let forward = {
            y.withUnsafeMutableBufferPointer { y in
                statistics.withUnsafeMutableBufferPointer { st in
                    let p = st.baseAddress!
                    BatchNorm.forwardTraining(
                        input: x, batch: n, channels: c, size: s, gamma: gamma, beta: beta, output: y.baseAddress!,
                        mean: p, variance: p + c)
                    BatchNorm.updateRunning(
                        runningMean: p + 2 * c, runningVariance: p + 3 * c, mean: p, variance: p + c, channels: c,
                        count: n * s, momentum: 0.01)
                }
            }
        }
        let backward = {
            dx.withUnsafeMutableBufferPointer { dx in
                statistics.withUnsafeBufferPointer { st in
                    BatchNorm.backward(
                        input: x, dOutput: dy, batch: n, channels: c, size: s, gamma: gamma, mean: st.baseAddress!,
                        variance: st.baseAddress! + c, dInput: dx.baseAddress!, dGamma: nil, dBeta: nil)
                }
            }
        }
        return (sampleMedian(forward, repeats: repeats), sampleMedian(backward, repeats: repeats))
    }

    /// Median ms per call; each sample repeats the call for about 20 ms so the timer's noise stays small.
    private static func sampleMedian(_ body: () -> Void, repeats: Int) -> Double {
        let warm = Stopwatch()
        body()
        let perSample = max(1, Int(0.02 / max(warm.seconds, 1e-6)))
        var times: [Double] = []
        for _ in 0..<repeats {
            let start = Stopwatch()
            for _ in 0..<perSample { body() }
            times.append(start.seconds * 1000 / Double(perSample))
        }
        return median(times)
    }
}
