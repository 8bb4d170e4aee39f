// The explanation penalties (L1, total variation, outside the box) against Double references and
// finite differences.
import Kernels
import Testing

@Suite struct ExplanationPenaltyTests {
    @Test func explanationPenaltiesMatchReferencesAndFiniteDifferences() {
        for (n, h, w) in [(1, 2, 2), (2, 4, 3), (3, 5, 5)] {
            let s = Scratch()
            let count = n * h * w
            // Values in [0.05, 1) and spread out so |·| never sits within the FD step of a kink.
            let e = randomValues(count, seed: 91, in: 0.05...1)
            let z = randomValues(count, seed: 92).map { $0 > 0.3 ? Float(1) : 0 }
            let pe = s.make(e)
            let pz = s.make(z)
            let l1 = { (v: [[Double]]) in [v[0].map(abs).reduce(0, +)] }
            let tv = { (v: [[Double]]) -> [Double] in
                [
                    (0..<n).reduce(0.0) { total, b in
                        var dv = 0.0
                        var dh = 0.0
                        for i in 0..<h {
                            for j in 0..<w {
                                if i + 1 < h { dv += abs(v[0][(b * h + i + 1) * w + j] - v[0][(b * h + i) * w + j]) }
                                if j + 1 < w { dh += abs(v[0][(b * h + i) * w + j + 1] - v[0][(b * h + i) * w + j]) }
                            }
                        }
                        return total + dv / Double((h - 1) * w) + dh / Double(h * (w - 1))
                    } / Double(n)
                ]
            }
            let zd = z.map(Double.init)
            let box = { (v: [[Double]]) -> [Double] in
                [
                    (0..<n).reduce(0.0) { total, b in
                        let range = (b * h * w)..<((b + 1) * h * w)
                        let outside = range.reduce(0.0) { $0 + 1 - zd[$1] }
                        return total + abs(range.reduce(0.0) { $0 + (1 - zd[$1]) * v[0][$1] } / (outside + 1e-6))
                    } / Double(n)
                ]
            }
            let ed = [e.map(Double.init)]
            // Double accumulation of float32 inputs: the values agree to Double rounding.
            #expect(abs(ExplanationPenalty.l1(pe, count: count) - l1(ed)[0]) < 1e-9 * l1(ed)[0])
            // TV's neighbour differences are taken in float32 (one rounding each, ≤ 6e-8 for values < 1).
            #expect(
                abs(ExplanationPenalty.totalVariation(pe, batch: n, height: h, width: w) - tv(ed)[0]) < 1e-6 * tv(ed)[0]
            )
            #expect(abs(ExplanationPenalty.box(pe, mask: pz, batch: n, size: h * w) - box(ed)[0]) < 1e-9)
            let d1 = s.zeros(count)
            let d2 = s.zeros(count)
            let d3 = s.zeros(count)
            ExplanationPenalty.l1Backward(pe, count: count, weight: 1, dE: d1)
            ExplanationPenalty.totalVariationBackward(pe, batch: n, height: h, width: w, weight: 1, dE: d2)
            ExplanationPenalty.boxBackward(pe, mask: pz, batch: n, size: h * w, weight: 1, dE: d3)
            // TV has kinks where neighbours are equal; random distinct values keep the FD step clear of them.
            expectGradients(
                "L1 \((n, h, w))", inputs: [e], r: [1], reference: l1, analytic: [read(d1, count)], tolerance: 1e-6)
            expectGradients(
                "TV \((n, h, w))", inputs: [e], r: [1], reference: tv, analytic: [read(d2, count)], tolerance: 1e-5)
            expectGradients(
                "box \((n, h, w))", inputs: [e], r: [1], reference: box, analytic: [read(d3, count)], tolerance: 1e-5)
        }
    }
}
