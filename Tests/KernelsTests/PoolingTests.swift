// Pooling (2×2 max and average, global max) against Double references and finite differences, plus
// the first-maximum tie rule.
import Kernels
import Testing

@Suite struct PoolingTests {
    /// (planes P, H, W) with even sides; 2×2 maps, one plane, non-square maps.
    static let shapes = [(1, 2, 2), (3, 4, 6), (5, 6, 2)]

    @Test func maxAndAveragePoolingMatchReferencesAndFiniteDifferences() {
        for (p, h, w) in Self.shapes {
            let s = Scratch()
            let outCount = p * (h / 2) * (w / 2)
            let x = randomValues(p * h * w, seed: 21)
            let r = randomValues(outCount, seed: 22)
            func pooled(_ v: [Double], average: Bool) -> [Double] {
                var y = [Double](repeating: 0, count: outCount)
                for q in 0..<p {
                    for i in 0..<(h / 2) {
                        for j in 0..<(w / 2) {
                            let window = [(0, 0), (0, 1), (1, 0), (1, 1)].map {
                                v[(q * h + 2 * i + $0.0) * w + 2 * j + $0.1]
                            }
                            y[(q * (h / 2) + i) * (w / 2) + j] = average ? window.reduce(0, +) / 4 : window.max()!
                        }
                    }
                }
                return y
            }
            for average in [false, true] {
                let px = s.make(x)
                let y = s.zeros(outCount)
                let dx = s.zeros(x.count)
                let dy = s.make(r)
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
                expectGradients(
                    "pool average=\(average) \((p, h, w))", inputs: [x], r: r,
                    reference: { pooled($0[0], average: average) }, analytic: [read(dx, x.count)], tolerance: 1e-5)
            }
        }
    }

    @Test func maxPoolingTiesSendTheGradientToTheFirstMaximumInRowMajorOrder() {
        let s = Scratch()
        // One 2×2 window of zeros (ReLU ties) and one where the two bottom entries tie at the maximum.
        let x = s.make([0, 0, 1, 2, 0, 0, 3, 3])
        let dx = s.zeros(8)
        Pooling.maxBackward(input: x, dOutput: s.make([5, 7]), planes: 1, height: 2, width: 4, dInput: dx)
        #expect(read(dx, 8) == [5, 0, 0, 0, 0, 0, 7, 0])
        let g = s.make([4, 9, 9, 1])
        let dg = s.zeros(4)
        Pooling.globalMaxBackward(input: g, dOutput: s.make([2]), planes: 1, size: 4, dInput: dg)
        #expect(read(dg, 4) == [0, 2, 0, 0])
    }

    @Test func maxPoolingBackwardOnWideRowsKeepsTheFirstMaximumOnTies() {
        // Values in {0, 1, 2}: most windows tie. Width 36 = two 8-window vector chunks and a scalar tail.
        let (p, h, w) = (3, 6, 36)
        var generator = SplitMix64(seed: 31)
        let x = (0..<(p * h * w)).map { _ in Float(generator.next() % 3) }
        let g = randomValues(p * (h / 2) * (w / 2), seed: 32)
        let start = randomValues(x.count, seed: 33)
        let s = Scratch()
        let dx = s.make(start)
        Pooling.maxBackward(input: s.make(x), dOutput: s.make(g), planes: p, height: h, width: w, dInput: dx)
        var expected = start
        for plane in 0..<p {
            for i in 0..<(h / 2) {
                for j in 0..<(w / 2) {
                    let top = (plane * h + 2 * i) * w + 2 * j
                    var at = top
                    for candidate in [top + 1, top + w, top + w + 1] where x[candidate] > x[at] { at = candidate }
                    expected[at] += g[(plane * (h / 2) + i) * (w / 2) + j]
                }
            }
        }
        #expect(read(dx, x.count) == expected)
    }

    @Test func globalMaxPoolingMatchesReferenceAndFiniteDifferences() {
        for (p, hw) in [(1, 1), (4, 9), (3, 16)] {
            let s = Scratch()
            let x = randomValues(p * hw, seed: 23)
            let r = randomValues(p, seed: 24)
            let y = s.zeros(p)
            let dx = s.zeros(x.count)
            let px = s.make(x)
            Pooling.globalMaxForward(input: px, planes: p, size: hw, output: y)
            Pooling.globalMaxBackward(input: px, dOutput: s.make(r), planes: p, size: hw, dInput: dx)
            let reference = { (v: [[Double]]) in (0..<p).map { q in v[0][(q * hw)..<((q + 1) * hw)].max()! } }
            #expect(scaledError(read(y, p), reference([x.map(Double.init)])) == 0)
            expectGradients(
                "global max \((p, hw))", inputs: [x], r: r, reference: reference, analytic: [read(dx, x.count)],
                tolerance: 1e-5)
        }
    }
}
