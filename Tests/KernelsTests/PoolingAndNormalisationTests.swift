// Pooling (2×2 max and average, global max) and batch norm against Double references and finite
// differences, plus the first-maximum tie rule and PyTorch's running-statistics rule.
import Kernels
import Testing

@Suite struct PoolingAndNormalisationTests {
    /// (planes P, H, W) with even sides; 2×2 maps, one plane, non-square maps.
    static let shapes = [(1, 2, 2), (3, 4, 6), (5, 6, 2)]

    @Test func maxAndAveragePoolingMatchReferencesAndFiniteDifferences() {
        for (p, h, w) in Self.shapes {
            let s = Scratch(), outCount = p * (h / 2) * (w / 2)
            let x = randomValues(p * h * w, seed: 21), r = randomValues(outCount, seed: 22)
            func pooled(_ v: [Double], average: Bool) -> [Double] {
                var y = [Double](repeating: 0, count: outCount)
                for q in 0..<p { for i in 0..<(h / 2) { for j in 0..<(w / 2) {
                    let window = [(0, 0), (0, 1), (1, 0), (1, 1)].map { v[(q * h + 2 * i + $0.0) * w + 2 * j + $0.1] }
                    y[(q * (h / 2) + i) * (w / 2) + j] = average ? window.reduce(0, +) / 4 : window.max()!
                } } }
                return y
            }
            for average in [false, true] {
                let px = s.make(x), y = s.zeros(outCount), dx = s.zeros(x.count), dy = s.make(r)
                if average {
                    Pooling.averageForward(input: px, planes: p, height: h, width: w, output: y)
                    Pooling.averageBackward(dOutput: dy, planes: p, height: h, width: w, dInput: dx)
                } else {
                    Pooling.maxForward(input: px, planes: p, height: h, width: w, output: y)
                    Pooling.maxBackward(input: px, dOutput: dy, planes: p, height: h, width: w, dInput: dx)
                }
                // Max is exact; a mean of four float32 values rounds at 1e-7 relative.
                #expect(scaledError(read(y, outCount), pooled(x.map(Double.init), average: average)) < 1e-6)
                // Random inputs have no ties, so max pooling is differentiable at them.
                expectGradients("pool average=\(average) \((p, h, w))", inputs: [x], r: r,
                                reference: { pooled($0[0], average: average) }, analytic: [read(dx, x.count)], tolerance: 1e-5)
            }
        }
    }

    @Test func maxPoolingTiesSendTheGradientToTheFirstMaximumInRowMajorOrder() {
        let s = Scratch()
        // One 2×2 window of zeros (ReLU ties) and one where the two bottom entries tie at the maximum.
        let x = s.make([0, 0, 1, 2, 0, 0, 3, 3]), dx = s.zeros(8)
        Pooling.maxBackward(input: x, dOutput: s.make([5, 7]), planes: 1, height: 2, width: 4, dInput: dx)
        #expect(read(dx, 8) == [5, 0, 0, 0, 0, 0, 7, 0])
        let g = s.make([4, 9, 9, 1]), dg = s.zeros(4)
        Pooling.globalMaxBackward(input: g, dOutput: s.make([2]), planes: 1, size: 4, dInput: dg)
        #expect(read(dg, 4) == [0, 2, 0, 0])
    }

    @Test func maxPoolingBackwardOnWideRowsKeepsTheFirstMaximumOnTies() {
        // Values in {0, 1, 2}: most windows tie. Width 36 = two 8-window vector chunks and a scalar tail.
        let (p, h, w) = (3, 6, 36)
        var generator = SplitMix64(seed: 31)
        let x = (0..<(p * h * w)).map { _ in Float(generator.next() % 3) }
        let g = randomValues(p * (h / 2) * (w / 2), seed: 32), start = randomValues(x.count, seed: 33)
        let s = Scratch(), dx = s.make(start)
        Pooling.maxBackward(input: s.make(x), dOutput: s.make(g), planes: p, height: h, width: w, dInput: dx)
        var expected = start
        for plane in 0..<p { for i in 0..<(h / 2) { for j in 0..<(w / 2) {
            let top = (plane * h + 2 * i) * w + 2 * j
            var at = top
            for candidate in [top + 1, top + w, top + w + 1] where x[candidate] > x[at] { at = candidate }
            expected[at] += g[(plane * (h / 2) + i) * (w / 2) + j]
        } } }
        #expect(read(dx, x.count) == expected)
    }

    @Test func globalMaxPoolingMatchesReferenceAndFiniteDifferences() {
        for (p, hw) in [(1, 1), (4, 9), (3, 16)] {
            let s = Scratch(), x = randomValues(p * hw, seed: 23), r = randomValues(p, seed: 24)
            let y = s.zeros(p), dx = s.zeros(x.count), px = s.make(x)
            Pooling.globalMaxForward(input: px, planes: p, size: hw, output: y)
            Pooling.globalMaxBackward(input: px, dOutput: s.make(r), planes: p, size: hw, dInput: dx)
            let reference = { (v: [[Double]]) in (0..<p).map { q in v[0][(q * hw)..<((q + 1) * hw)].max()! } }
            #expect(scaledError(read(y, p), reference([x.map(Double.init)])) == 0)
            expectGradients("global max \((p, hw))", inputs: [x], r: r, reference: reference, analytic: [read(dx, x.count)],
                            tolerance: 1e-5)
        }
    }

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
            let s = Scratch(), count = n * c * size
            let x = randomValues(count, seed: 31, in: -2...3), gamma = randomValues(c, seed: 32, in: 0.5...1.5)
            let beta = randomValues(c, seed: 33), r = randomValues(count, seed: 34)
            let px = s.make(x), pg = s.make(gamma), y = s.zeros(count), mean = s.zeros(c), variance = s.zeros(c)
            BatchNorm.forwardTraining(input: px, batch: n, channels: c, size: size, gamma: pg, beta: s.make(beta), output: y,
                                      mean: mean, variance: variance, epsilon: epsilon)
            let reference = { (v: [[Double]]) in Self.naiveBatchNorm(v, n: n, c: c, size: size, epsilon: epsilon) }
            // Statistics in Double, one float32 multiply-add per value: ≈ 1e-7 relative.
            #expect(scaledError(read(y, count), reference([x, gamma, beta].map { $0.map(Double.init) })) < 1e-5)
            let dx = s.zeros(count), dg = s.zeros(c), db = s.zeros(c)
            BatchNorm.backward(input: px, dOutput: s.make(r), batch: n, channels: c, size: size, gamma: pg, mean: mean,
                               variance: variance, dInput: dx, dGamma: dg, dBeta: db, epsilon: epsilon)
            // The mean/variance are passed back as float32, so x̂ carries ≈ 1e-7 relative error; 1e-4 is ample.
            expectGradients("batch norm \((n, c, size))", inputs: [x, gamma, beta], r: r, reference: reference,
                            analytic: [read(dx, count), read(dg, c), read(db, c)], tolerance: 1e-4)
        }
    }

    @Test func runningStatisticsWeighTheBatchByMomentumWithTheUnbiasedVariance() {
        let s = Scratch(), rm = s.make([0.5]), rv = s.make([2])
        BatchNorm.updateRunning(runningMean: rm, runningVariance: rv, mean: s.make([1.5]), variance: s.make([0.9]),
                                channels: 1, count: 10, momentum: 0.01)
        #expect(abs(rm[0] - (0.99 * 0.5 + 0.01 * 1.5)) < 1e-7)
        #expect(abs(rv[0] - (0.99 * 2 + 0.01 * 0.9 * 10 / 9)) < 1e-6)
        let x = s.make([1, 3]), y = s.zeros(2)
        BatchNorm.forwardInference(input: x, batch: 1, channels: 1, size: 2, gamma: s.make([2]), beta: s.make([1]),
                                   runningMean: s.make([1]), runningVariance: s.make([4 - 1e-3]), output: y)
        // σ = sqrt(4 − 1e-3 + 1e-3) = 2: y = 2·(x − 1)/2 + 1.
        #expect(abs(y[0] - 1) < 1e-6 && abs(y[1] - 3) < 1e-6)
    }
}
