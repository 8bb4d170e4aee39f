// Activations, dense, dropout, the elementwise ops, softmax cross-entropy and the explanation
// penalties against Double references and finite differences.
import Foundation
import Kernels
import Testing

@Suite struct PointwiseAndLossTests {
    @Test func activationsMatchReferencesAndFiniteDifferences() {
        let count = 37
        // Inputs kept away from 0 so ReLU's kink is never within the finite-difference step.
        let x = randomValues(count, seed: 41, in: -3...3).map { abs($0) < 1e-3 ? 0.5 : $0 }, r = randomValues(count, seed: 42)
        let cases: [(String, (Double) -> Double)] = [("relu", { max($0, 0) }), ("tanh", { Foundation.tanh($0) }),
                                                     ("sigmoid", { 1 / (1 + Foundation.exp(-$0)) })]
        for (name, f) in cases {
            let s = Scratch(), y = s.make(x), d = s.make(r)
            switch name {
            case "relu": Activation.reluForward(y, count: count); Activation.reluBackward(output: y, gradient: d, count: count)
            case "tanh": Activation.tanhForward(input: y, output: y, count: count); Activation.tanhBackward(output: y, gradient: d, count: count)
            default: Activation.sigmoidForward(input: y, output: y, count: count); Activation.sigmoidBackward(output: y, gradient: d, count: count)
            }
            // One float32 rounding of a Double-evaluated function: 1e-7 relative.
            #expect(scaledError(read(y, count), x.map { f(Double($0)) }) < 1e-6, "\(name) forward")
            // f' from the rounded output: a few float32 ulps.
            expectGradients(name, inputs: [x], r: r, reference: { $0[0].map(f) }, analytic: [read(d, count)], tolerance: 1e-5)
        }
    }

    @Test func denseMatchesReferenceAndFiniteDifferences() {
        for (n, i, o) in [(1, 3, 2), (4, 7, 5), (2, 1, 1)] {
            let s = Scratch()
            let x = randomValues(n * i, seed: 51), w = randomValues(o * i, seed: 52), b = randomValues(o, seed: 53)
            let r = randomValues(n * o, seed: 54)
            let reference = { (v: [[Double]]) -> [Double] in
                (0..<(n * o)).map { k in v[2][k % o] + (0..<i).reduce(0.0) { $0 + v[0][(k / o) * i + $1] * v[1][(k % o) * i + $1] } }
            }
            let px = s.make(x), pw = s.make(w), y = s.zeros(n * o)
            Dense.forward(input: px, batch: n, inputs: i, weight: pw, bias: s.make(b), outputs: o, output: y)
            #expect(scaledError(read(y, n * o), reference([x, w, b].map { $0.map(Double.init) })) < 1e-5)
            let dx = s.zeros(n * i), dw = s.zeros(o * i), db = s.zeros(o)
            Dense.backward(input: px, dOutput: s.make(r), batch: n, inputs: i, weight: pw, outputs: o, dInput: dx, dWeight: dw, dBias: db)
            // Sums of ≤ 7 float32 products.
            expectGradients("dense \((n, i, o))", inputs: [x, w, b], r: r, reference: reference,
                            analytic: [read(dx, n * i), read(dw, o * i), read(db, o)], tolerance: 1e-5)
        }
    }

    @Test func dropoutIsSeededInvertedAndItsBackwardUsesTheSameMask() {
        let count = 4000, s = Scratch(), x = randomValues(count, seed: 61)
        let px = s.make(x), mask = s.zeros(count), y = s.zeros(count), again = s.zeros(count), mask2 = s.zeros(count)
        Dropout.forward(input: px, count: count, rate: 0.3, seed: 9, mask: mask, output: y)
        Dropout.forward(input: px, count: count, rate: 0.3, seed: 9, mask: mask2, output: again)
        #expect(read(y, count) == read(again, count), "same seed, same mask")
        let kept = read(mask, count).filter { $0 != 0 }
        #expect(kept.allSatisfy { abs($0 - 1 / 0.7) < 1e-6 }, "kept values scaled by 1/(1 − rate)")
        // 4000 Bernoulli(0.7) draws: standard deviation of the kept share is 0.007, so ±0.03 is > 4σ.
        #expect(abs(Double(kept.count) / Double(count) - 0.7) < 0.03)
        Dropout.forward(input: px, count: count, rate: 0.3, seed: 10, mask: mask2, output: again)
        #expect(read(mask, count) != read(mask2, count), "another seed, another mask")
        let r = randomValues(count, seed: 62), dx = s.zeros(count)
        Dropout.backward(dOutput: s.make(r), mask: mask, count: count, dInput: dx)
        #expect(read(dx, count) == zip(r, read(mask, count)).map { $0 * $1 })
    }

    @Test func channelMultiplyAndAddMatchReferencesAndFiniteDifferences() {
        for (n, c, size) in [(1, 1, 1), (2, 3, 5), (3, 9, 4)] {
            let s = Scratch()
            let h = randomValues(n * c * size, seed: 71), e = randomValues(n * size, seed: 72), r = randomValues(h.count, seed: 73)
            let reference = { (v: [[Double]]) in (0..<(n * c * size)).map { k in v[0][k] * v[1][(k / (c * size)) * size + k % size] } }
            let y = s.zeros(h.count), dh = s.zeros(h.count), de = s.zeros(e.count)
            let ph = s.make(h), pe = s.make(e)
            Elementwise.channelMultiplyForward(features: ph, scale: pe, batch: n, channels: c, size: size, output: y)
            #expect(scaledError(read(y, h.count), reference([h, e].map { $0.map(Double.init) })) < 1e-6)
            Elementwise.channelMultiplyBackward(features: ph, scale: pe, dOutput: s.make(r), batch: n, channels: c, size: size,
                                                dFeatures: dh, dScale: de)
            // dE sums C ≤ 9 float32 products.
            expectGradients("channel multiply \((n, c, size))", inputs: [h, e], r: r, reference: reference,
                            analytic: [read(dh, h.count), read(de, e.count)], tolerance: 1e-5)
        }
        let s = Scratch(), a = randomValues(11, seed: 74), b = randomValues(11, seed: 75), y = s.zeros(11), d = s.make(b)
        Elementwise.addForward(s.make(a), s.make(b), count: 11, output: y)
        #expect(read(y, 11) == zip(a, b).map { $0 + $1 })
        Elementwise.accumulate(s.make(a), count: 11, into: d)
        #expect(read(d, 11) == zip(b, a).map { $0 + $1 }, "backward of a sum adds dy into each operand")
    }

    @Test func softmaxCrossEntropyMatchesReferenceAndFiniteDifferences() {
        for (n, k) in [(1, 2), (3, 5), (4, 16)] {
            let s = Scratch(), logits = randomValues(n * k, seed: 81, in: -4...4)
            let labels = (0..<n).map { ($0 * 7 + 1) % k }
            let reference = { (v: [[Double]]) -> [Double] in
                [(0..<n).reduce(0.0) { total, row in
                    let z = Array(v[0][(row * k)..<((row + 1) * k)]), top = z.max()!
                    return total + top + Foundation.log(z.map { Foundation.exp($0 - top) }.reduce(0, +)) - z[labels[row]]
                } / Double(n)]
            }
            let p = s.zeros(n * k), d = s.zeros(n * k)
            let loss = labels.withUnsafeBufferPointer { l in
                SoftmaxCrossEntropy.forward(logits: s.make(logits), labels: l.baseAddress!, batch: n, classes: k, probabilities: p)
            }
            #expect(abs(loss - reference([logits.map(Double.init)])[0]) < 1e-6 * max(1, abs(loss)))
            labels.withUnsafeBufferPointer { l in
                SoftmaxCrossEntropy.backward(probabilities: p, labels: l.baseAddress!, batch: n, classes: k, scale: 1, dLogits: d)
            }
            // p − onehot from float32 probabilities: 1e-7 absolute on entries of size up to 1/N.
            expectGradients("softmax CE \((n, k))", inputs: [logits], r: [1], reference: reference,
                            analytic: [read(d, n * k)], tolerance: 1e-5)
        }
    }

    @Test func explanationPenaltiesMatchReferencesAndFiniteDifferences() {
        for (n, h, w) in [(1, 2, 2), (2, 4, 3), (3, 5, 5)] {
            let s = Scratch(), count = n * h * w
            // Values in [0.05, 1) and spread out so |·| never sits within the FD step of a kink.
            let e = randomValues(count, seed: 91, in: 0.05...1), z = randomValues(count, seed: 92).map { $0 > 0.3 ? Float(1) : 0 }
            let pe = s.make(e), pz = s.make(z)
            let l1 = { (v: [[Double]]) in [v[0].map(abs).reduce(0, +)] }
            let tv = { (v: [[Double]]) -> [Double] in
                [(0..<n).reduce(0.0) { total, b in
                    var dv = 0.0, dh = 0.0
                    for i in 0..<h { for j in 0..<w {
                        if i + 1 < h { dv += abs(v[0][(b * h + i + 1) * w + j] - v[0][(b * h + i) * w + j]) }
                        if j + 1 < w { dh += abs(v[0][(b * h + i) * w + j + 1] - v[0][(b * h + i) * w + j]) }
                    } }
                    return total + dv / Double((h - 1) * w) + dh / Double(h * (w - 1))
                } / Double(n)]
            }
            let zd = z.map(Double.init)
            let box = { (v: [[Double]]) -> [Double] in
                [(0..<n).reduce(0.0) { total, b in
                    let range = (b * h * w)..<((b + 1) * h * w)
                    let outside = range.reduce(0.0) { $0 + 1 - zd[$1] }
                    return total + abs(range.reduce(0.0) { $0 + (1 - zd[$1]) * v[0][$1] } / (outside + 1e-6))
                } / Double(n)]
            }
            let ed = [e.map(Double.init)]
            // Double accumulation of float32 inputs: the values agree to Double rounding.
            #expect(abs(ExplanationPenalty.l1(pe, count: count) - l1(ed)[0]) < 1e-9 * l1(ed)[0])
            // TV's neighbour differences are taken in float32 (one rounding each, ≤ 6e-8 for values < 1).
            #expect(abs(ExplanationPenalty.totalVariation(pe, batch: n, height: h, width: w) - tv(ed)[0]) < 1e-6 * tv(ed)[0])
            #expect(abs(ExplanationPenalty.box(pe, mask: pz, batch: n, size: h * w) - box(ed)[0]) < 1e-9)
            let d1 = s.zeros(count), d2 = s.zeros(count), d3 = s.zeros(count)
            ExplanationPenalty.l1Backward(pe, count: count, weight: 1, dE: d1)
            ExplanationPenalty.totalVariationBackward(pe, batch: n, height: h, width: w, weight: 1, dE: d2)
            ExplanationPenalty.boxBackward(pe, mask: pz, batch: n, size: h * w, weight: 1, dE: d3)
            // TV has kinks where neighbours are equal; random distinct values keep the FD step clear of them.
            expectGradients("L1 \((n, h, w))", inputs: [e], r: [1], reference: l1, analytic: [read(d1, count)], tolerance: 1e-6)
            expectGradients("TV \((n, h, w))", inputs: [e], r: [1], reference: tv, analytic: [read(d2, count)], tolerance: 1e-5)
            expectGradients("box \((n, h, w))", inputs: [e], r: [1], reference: box, analytic: [read(d3, count)], tolerance: 1e-5)
        }
    }
}
