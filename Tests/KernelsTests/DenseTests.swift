// The dense layer against a Double reference and finite differences.
import Kernels
import Testing

@Suite struct DenseTests {
    @Test func denseMatchesReferenceAndFiniteDifferences() {
        for (n, i, o) in [(1, 3, 2), (4, 7, 5), (2, 1, 1)] {
            let s = Scratch()
            let x = randomValues(n * i, seed: 51)
            let w = randomValues(o * i, seed: 52)
            let b = randomValues(o, seed: 53)
            let r = randomValues(n * o, seed: 54)
            let reference = { (v: [[Double]]) -> [Double] in
                (0..<(n * o)).map { k in
                    v[2][k % o] + (0..<i).reduce(0.0) { $0 + v[0][(k / o) * i + $1] * v[1][(k % o) * i + $1] }
                }
            }
            let px = s.make(x)
            let pw = s.make(w)
            let y = s.zeros(n * o)
            Dense.forward(input: px, batch: n, inputs: i, weight: pw, bias: s.make(b), outputs: o, output: y)
            #expect(scaledError(read(y, n * o), reference([x, w, b].map { $0.map(Double.init) })) < 1e-5)
            let dx = s.zeros(n * i)
            let dw = s.zeros(o * i)
            let db = s.zeros(o)
            Dense.backward(
                input: px, dOutput: s.make(r), batch: n, inputs: i, weight: pw, outputs: o, dInput: dx, dWeight: dw,
                dBias: db)
            // Sums of ≤ 7 float32 products.
            expectGradients(
                "dense \((n, i, o))", inputs: [x, w, b], r: r, reference: reference,
                analytic: [read(dx, n * i), read(dw, o * i), read(db, o)], tolerance: 1e-5)
        }
    }
}
