// The elementwise ops (channel multiply by E, add) against Double references and finite differences.
import Kernels
import Testing

@Suite struct ElementwiseTests {
    @Test func channelMultiplyAndAddMatchReferencesAndFiniteDifferences() {
        for (n, c, size) in [(1, 1, 1), (2, 3, 5), (3, 9, 4)] {
            let s = Scratch()
            let h = randomValues(n * c * size, seed: 71)
            let e = randomValues(n * size, seed: 72)
            let r = randomValues(h.count, seed: 73)
            let reference = { (v: [[Double]]) in
                (0..<(n * c * size)).map { k in v[0][k] * v[1][(k / (c * size)) * size + k % size] }
            }
            let y = s.zeros(h.count)
            let dh = s.zeros(h.count)
            let de = s.zeros(e.count)
            let ph = s.make(h)
            let pe = s.make(e)
            Elementwise.channelMultiplyForward(features: ph, scale: pe, batch: n, channels: c, size: size, output: y)
            #expect(scaledError(read(y, h.count), reference([h, e].map { $0.map(Double.init) })) < 1e-6)
            Elementwise.channelMultiplyBackward(
                features: ph, scale: pe, dOutput: s.make(r), batch: n, channels: c, size: size,
                dFeatures: dh, dScale: de)
            // dE sums C ≤ 9 float32 products.
            expectGradients(
                "channel multiply \((n, c, size))", inputs: [h, e], r: r, reference: reference,
                analytic: [read(dh, h.count), read(de, e.count)], tolerance: 1e-5)
        }
        let s = Scratch()
        let a = randomValues(11, seed: 74)
        let b = randomValues(11, seed: 75)
        let y = s.zeros(11)
        let d = s.make(b)
        Elementwise.addForward(s.make(a), s.make(b), count: 11, output: y)
        #expect(read(y, 11) == zip(a, b).map { $0 + $1 })
        Elementwise.accumulate(s.make(a), count: 11, into: d)
        #expect(read(d, 11) == zip(b, a).map { $0 + $1 }, "backward of a sum adds dy into each operand")
    }
}
