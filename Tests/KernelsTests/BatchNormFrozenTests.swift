// Batch norm with frozen statistics (the classifier's from phase 2 on): its backward against finite
// differences of the inference forward in Double, and its accumulation.
import Kernels
import Testing

@Suite struct BatchNormFrozenTests {
    @Test func frozenBackwardMatchesFiniteDifferencesOfTheInferenceForward() {
        for (n, c, size) in [(2, 1, 9), (3, 4, 5), (1, 3, 37)] {
            let s = Scratch()
            let count = n * c * size
            let x = randomValues(count, seed: 41, in: -2...3)
            let gamma = randomValues(c, seed: 42, in: 0.5...1.5)
            let beta = randomValues(c, seed: 43)
            let mean = randomValues(c, seed: 44)
            let variance = randomValues(c, seed: 45, in: 0.2...2)
            let r = randomValues(count, seed: 46)
            let epsilon = 1e-5
            let reference = { (v: [[Double]]) -> [Double] in
                (0..<count).map { i in
                    let ch = (i / size) % c
                    return v[1][ch] * (v[0][i] - Double(mean[ch])) / (Double(variance[ch]) + epsilon).squareRoot()
                        + v[2][ch]
                }
            }
            let y = s.zeros(count)
            BatchNorm.forwardInference(
                input: s.make(x), batch: n, channels: c, size: size, gamma: s.make(gamma), beta: s.make(beta),
                runningMean: s.make(mean), runningVariance: s.make(variance), output: y, epsilon: epsilon)
            #expect(scaledError(read(y, count), reference([x, gamma, beta].map { $0.map(Double.init) })) < 1e-5)
            // Start from ones: the backward accumulates.
            let dx = s.make([Float](repeating: 1, count: count))
            let dg = s.make([Float](repeating: 1, count: c))
            let db = s.make([Float](repeating: 1, count: c))
            BatchNorm.backwardInference(
                input: s.make(x), dOutput: s.make(r), batch: n, channels: c, size: size, gamma: s.make(gamma),
                runningMean: s.make(mean), runningVariance: s.make(variance), dInput: dx, dGamma: dg, dBeta: db,
                epsilon: epsilon)
            expectGradients(
                "frozen batch norm \((n, c, size))", inputs: [x, gamma, beta], r: r, reference: reference,
                analytic: [read(dx, count).map { $0 - 1 }, read(dg, c).map { $0 - 1 }, read(db, c).map { $0 - 1 }],
                tolerance: 1e-4)
        }
    }
}
