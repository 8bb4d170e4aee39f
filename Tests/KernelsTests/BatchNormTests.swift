// Batch norm against a Double reference and finite differences, and PyTorch's running-statistics rule.
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
