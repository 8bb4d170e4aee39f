// Batch norm against a Double reference and finite differences, the SIMD kernels against naive Double
// loops on sizes that are not multiples of 16, and PyTorch's running-statistics rule.
import Kernels
import Testing

@Suite struct BatchNormTests {
    /// Training-mode BN in Double: biased variance, ε = 1e-3.
    static func naiveBatchNorm(_ v: [[Double]], n: Int, c: Int, size: Int, epsilon: Double = 1e-3) -> [Double] {
        var y = [Double](repeating: 0, count: n * c * size)
        for ch in 0..<c {
            let idx = (0..<n).flatMap { b in (0..<size).map { (b * c + ch) * size + $0 } }
            let mean = idx.map { v[0][$0] }.reduce(0, +) / Double(idx.count)
            let variance = idx.map { (v[0][$0] - mean) * (v[0][$0] - mean) }.reduce(0, +) / Double(idx.count)
            for i in idx { y[i] = v[1][ch] * (v[0][i] - mean) / (variance + epsilon).squareRoot() + v[2][ch] }
        }
        return y
    }

    /// ε as given (the explainer head's --bn-epsilon) or Keras' default.
    @Test(arguments: [1e-3, 0.5])
    func batchNormTrainingMatchesReferenceAndFiniteDifferences(epsilon: Double) {
        for (n, c, size) in [(2, 1, 9), (3, 4, 5), (1, 3, 16)] {
            let s = Scratch()
            let count = n * c * size
            let x = randomValues(count, seed: 31, in: -2...3)
            let gamma = randomValues(c, seed: 32, in: 0.5...1.5)
            let beta = randomValues(c, seed: 33)
            let r = randomValues(count, seed: 34)
            let px = s.make(x)
            let pg = s.make(gamma)
            let y = s.zeros(count)
            let mean = s.zeros(c)
            let variance = s.zeros(c)
            BatchNorm.forwardTraining(
                input: px, batch: n, channels: c, size: size, gamma: pg, beta: s.make(beta), output: y,
                mean: mean, variance: variance, epsilon: epsilon)
            let reference = { (v: [[Double]]) in Self.naiveBatchNorm(v, n: n, c: c, size: size, epsilon: epsilon) }
            // Statistics in Double, one float32 multiply-add per value: ≈ 1e-7 relative.
            #expect(scaledError(read(y, count), reference([x, gamma, beta].map { $0.map(Double.init) })) < 1e-5)
            let dx = s.zeros(count)
            let dg = s.zeros(c)
            let db = s.zeros(c)
            BatchNorm.backward(
                input: px, dOutput: s.make(r), batch: n, channels: c, size: size, gamma: pg, mean: mean,
                variance: variance, dInput: dx, dGamma: dg, dBeta: db, epsilon: epsilon)
            // The mean/variance are passed back as float32, so x̂ carries ≈ 1e-7 relative error; 1e-4 is ample.
            expectGradients(
                "batch norm \((n, c, size))", inputs: [x, gamma, beta], r: r, reference: reference,
                analytic: [read(dx, count), read(dg, c), read(db, c)], tolerance: 1e-4)
        }
    }

    /// Statistics and outputs of the naive scalar loops, all in Double.
    struct Naive {
        var mean: [Double]
        var variance: [Double]
        var y: [Double]
    }

    /// Training forward in scalar Double loops: two passes (mean, centred squares), biased variance.
    static func naiveForward(
        _ x: [Float], n: Int, c: Int, s: Int, gamma: [Float], beta: [Float], epsilon: Double
    ) -> Naive {
        var result = Naive(mean: [], variance: [], y: [Double](repeating: 0, count: x.count))
        for ch in 0..<c {
            var sum = 0.0
            for b in 0..<n { for j in 0..<s { sum += Double(x[(b * c + ch) * s + j]) } }
            let mean = sum / Double(n * s)
            var squares = 0.0
            for b in 0..<n {
                for j in 0..<s {
                    let d = Double(x[(b * c + ch) * s + j]) - mean
                    squares += d * d
                }
            }
            let variance = squares / Double(n * s)
            result.mean.append(mean)
            result.variance.append(variance)
            let inverse = 1 / (variance + epsilon).squareRoot()
            for b in 0..<n {
                for j in 0..<s {
                    let i = (b * c + ch) * s + j
                    result.y[i] = Double(gamma[ch]) * (Double(x[i]) - mean) * inverse + Double(beta[ch])
                }
            }
        }
        return result
    }

    /// Inference forward in scalar Double loops with the given statistics.
    static func naiveInference(
        _ x: [Float], n: Int, c: Int, s: Int, gamma: [Float], beta: [Float], mean: [Float], variance: [Float],
        epsilon: Double
    ) -> [Double] {
        var y = [Double](repeating: 0, count: x.count)
        for b in 0..<n {
            for ch in 0..<c {
                let inverse = 1 / (Double(variance[ch]) + epsilon).squareRoot()
                for j in 0..<s {
                    let i = (b * c + ch) * s + j
                    y[i] = Double(gamma[ch]) * (Double(x[i]) - Double(mean[ch])) * inverse + Double(beta[ch])
                }
            }
        }
        return y
    }

    /// Backward in scalar Double loops: (dx, dγ, dβ) with x̂ from the given float32 statistics.
    static func naiveBackward(
        _ x: [Float], _ dy: [Float], n: Int, c: Int, s: Int, gamma: [Float], mean: [Float], variance: [Float],
        epsilon: Double
    ) -> (dx: [Double], dGamma: [Double], dBeta: [Double]) {
        var dx = [Double](repeating: 0, count: x.count)
        var dGamma = [Double](repeating: 0, count: c)
        var dBeta = [Double](repeating: 0, count: c)
        let count = Double(n * s)
        for ch in 0..<c {
            let inverse = 1 / (Double(variance[ch]) + epsilon).squareRoot()
            let xhat = { (i: Int) in (Double(x[i]) - Double(mean[ch])) * inverse }
            for b in 0..<n {
                for j in 0..<s {
                    let i = (b * c + ch) * s + j
                    dBeta[ch] += Double(dy[i])
                    dGamma[ch] += Double(dy[i]) * xhat(i)
                }
            }
            for b in 0..<n {
                for j in 0..<s {
                    let i = (b * c + ch) * s + j
                    dx[i] =
                        Double(gamma[ch]) * inverse
                        * (Double(dy[i]) - dBeta[ch] / count - xhat(i) * dGamma[ch] / count)
                }
            }
        }
        return (dx, dGamma, dBeta)
    }

    /// max over channels of |fast − naive| / scale[ch].
    static func worst(_ fast: [Float], _ naive: [Double], scale: [Double]) -> Double {
        zip(zip(fast, naive), scale).map { abs(Double($0.0) - $0.1) / $1 }.max() ?? 0
    }

    /// Sizes around the 16-lane vectors and the 512-value blocks (1, 7, 33, 4096 + 5), several
    /// channels, one case far from zero (mean 1000, σ ≈ 0.6) and one whose values at the starts and
    /// thirds of each plane (where the kernel samples its shift) sit 8σ from the mean.
    @Test(arguments: [
        (n: 1, c: 1, s: 1, offset: Float(0), spikes: false), (2, 3, 7, 0, false), (3, 2, 33, 0.5, false),
        (2, 2, 4101, -0.25, false), (8, 5, 17 * 17, 0, false), (3, 2, 1031, 1000, false), (2, 3, 4096, 0, true),
    ])
    func simdKernelsMatchNaiveDoubleLoops(n: Int, c: Int, s: Int, offset: Float, spikes: Bool) {
        let sc = Scratch()
        let count = n * c * s
        var x = randomValues(count, seed: 41, in: -1...1).map { $0 + offset }
        if spikes {
            for b in 0..<(n * c) {
                for r in 0..<4 { for j in 0..<16 { x[b * s + r * (s - 16) / 3 + j] = 10 } }
            }
        }
        let gamma = randomValues(c, seed: 42, in: 0.5...1.5)
        let beta = randomValues(c, seed: 43)
        let dy = randomValues(count, seed: 44)
        let dxStart = randomValues(count, seed: 45)
        let epsilon = 1e-3
        let (px, pg, pb) = (sc.make(x), sc.make(gamma), sc.make(beta))
        let (y, mean, variance) = (sc.zeros(count), sc.zeros(c), sc.zeros(c))
        BatchNorm.forwardTraining(
            input: px, batch: n, channels: c, size: s, gamma: pg, beta: pb, output: y, mean: mean,
            variance: variance, epsilon: epsilon)
        let naive = Self.naiveForward(x, n: n, c: c, s: s, gamma: gamma, beta: beta, epsilon: epsilon)
        let sigma = naive.variance.map { $0.squareRoot() }
        // Float32 lanes of ≤ 32 additions per Double flush, then one float32 rounding of the statistic:
        // a few 1e-8 of σ for the mean and of the variance itself; 1e-6 leaves a margin of 10×. The mean
        // is also allowed the ulp of its float32 storage (3e-5 σ at mean 1000, σ 0.6).
        let fastMean = read(mean, c)
        var meanError = 0.0
        for ch in 0..<c {
            let beyondUlp = abs(Double(fastMean[ch]) - naive.mean[ch]) - Double(Float(naive.mean[ch]).ulp)
            meanError = max(meanError, max(0, beyondUlp) / max(sigma[ch], 1e-30))
        }
        let varianceError = Self.worst(read(variance, c), naive.variance, scale: naive.variance.map { max($0, 1e-30) })
        #expect(meanError < 1e-6, "mean off by \(meanError) σ beyond its float32 ulp")
        #expect(varianceError < 1e-6, "variance off by \(varianceError) relative")
        // One float32 multiply-add per value around a float32 mean: ≈ 1e-7 of max|y|.
        let yError = scaledError(read(y, count), naive.y)
        #expect(yError < 1e-6, "training output off by \(yError)")

        let yInference = sc.zeros(count)
        let (runningMean, runningVariance) = (randomValues(c, seed: 46), randomValues(c, seed: 47, in: 0.1...2))
        BatchNorm.forwardInference(
            input: px, batch: n, channels: c, size: s, gamma: pg, beta: pb, runningMean: sc.make(runningMean),
            runningVariance: sc.make(runningVariance), output: yInference, epsilon: epsilon)
        let inference = Self.naiveInference(
            x, n: n, c: c, s: s, gamma: gamma, beta: beta, mean: runningMean, variance: runningVariance,
            epsilon: epsilon)
        let inferenceError = scaledError(read(yInference, count), inference)
        #expect(inferenceError < 1e-6, "inference output off by \(inferenceError)")

        let (dx, dGamma, dBeta) = (sc.make(dxStart), sc.make([Float](repeating: 0.5, count: c)), sc.zeros(c))
        BatchNorm.backward(
            input: px, dOutput: sc.make(dy), batch: n, channels: c, size: s, gamma: pg, mean: mean,
            variance: variance, dInput: dx, dGamma: dGamma, dBeta: dBeta, epsilon: epsilon)
        let reference = Self.naiveBackward(
            x, dy, n: n, c: c, s: s, gamma: gamma, mean: read(mean, c), variance: read(variance, c),
            epsilon: epsilon)
        // Accumulating: compare the increments. dx is three float32 terms (γ/σ·dy, x̂ and mean terms)
        // summed in float32: a few 1e-7 of the largest term, which can exceed |dx| where they cancel.
        let dxAdded = zip(read(dx, count), dxStart).map { $0 - $1 }
        let dxError = scaledError(dxAdded, reference.dx)
        #expect(dxError < 1e-5, "dx off by \(dxError)")
        // Sums over up to 8k values with Double flushes; one float32 rounding at the end.
        let dGammaError = scaledError(read(dGamma, c).map { $0 - 0.5 }, reference.dGamma)
        let dBetaError = scaledError(read(dBeta, c), reference.dBeta)
        #expect(dGammaError < 1e-5 && dBetaError < 1e-5, "dγ off by \(dGammaError), dβ by \(dBetaError)")
    }

    @Test func runningStatisticsWeighTheBatchByMomentumWithTheUnbiasedVariance() {
        let s = Scratch()
        let rm = s.make([0.5])
        let rv = s.make([2])
        BatchNorm.updateRunning(
            runningMean: rm, runningVariance: rv, mean: s.make([1.5]), variance: s.make([0.9]),
            channels: 1, count: 10, momentum: 0.01)
        #expect(abs(rm[0] - (0.99 * 0.5 + 0.01 * 1.5)) < 1e-7)
        #expect(abs(rv[0] - (0.99 * 2 + 0.01 * 0.9 * 10 / 9)) < 1e-6)
        let x = s.make([1, 3])
        let y = s.zeros(2)
        BatchNorm.forwardInference(
            input: x, batch: 1, channels: 1, size: 2, gamma: s.make([2]), beta: s.make([1]),
            runningMean: s.make([1]), runningVariance: s.make([4 - 1e-3]), output: y)
        // σ = sqrt(4 − 1e-3 + 1e-3) = 2: y = 2·(x − 1)/2 + 1.
        #expect(abs(y[0] - 1) < 1e-6 && abs(y[1] - 3) < 1e-6)
    }
}
