// Shared pieces of the kernel tests: owned scratch buffers for the pointer APIs, seeded random data,
// and the finite-difference check of L = Σ out·r against a naive Double reference.
import Kernels
import Testing

/// Pointer-backed copies of arrays, freed with the scratch object.
final class Scratch {
    private var owned: [(UnsafeMutablePointer<Float>, Int)] = []

    func make(_ values: [Float]) -> UnsafeMutablePointer<Float> {
        let p = UnsafeMutablePointer<Float>.allocate(capacity: max(1, values.count))
        p.initialize(repeating: 0, count: max(1, values.count))
        for (i, v) in values.enumerated() { p[i] = v }
        owned.append((p, values.count))
        return p
    }

    func zeros(_ count: Int) -> UnsafeMutablePointer<Float> { make([Float](repeating: 0, count: count)) }

    deinit { for (p, _) in owned { p.deallocate() } }
}

func read(_ p: UnsafePointer<Float>, _ count: Int) -> [Float] { Array(UnsafeBufferPointer(start: p, count: count)) }

/// Seeded uniform values in [lower, upper).
func randomValues(_ count: Int, seed: UInt64, in range: ClosedRange<Float> = -1...1) -> [Float] {
    var g = SplitMix64(seed: seed)
    return (0..<count).map { _ in range.lowerBound + g.nextUnitFloat() * (range.upperBound - range.lowerBound) }
}

/// max|a − b| / max|b| (b is the reference).
func scaledError(_ a: [Float], _ b: [Double]) -> Double {
    var diff = 0.0
    var ref = 0.0
    for i in b.indices {
        diff = max(diff, abs(Double(a[i]) - b[i]))
        ref = max(ref, abs(b[i]))
    }
    return ref > 0 ? diff / ref : diff
}

/// Central differences in Double of L(inputs) = Σ reference(inputs)·r at `samples` random entries of each
/// input, compared with the fast Float gradients `analytic` (one per input) by max|fd − a| ≤ tol·max|a|.
func expectGradients(
    _ what: String, inputs: [[Float]], r: [Float], reference: ([[Double]]) -> [Double],
    analytic: [[Float]], tolerance: Double, samples: Int = 12, seed: UInt64 = 99,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    var g = SplitMix64(seed: seed)
    let base = inputs.map { $0.map(Double.init) }
    let weights = r.map(Double.init)
    func loss(_ x: [[Double]]) -> Double {
        let out = reference(x)
        var s = 0.0
        for i in out.indices { s += out[i] * weights[i] }
        return s
    }
    for (t, tensor) in base.enumerated() where !tensor.isEmpty {
        let scale = analytic[t].map { Double(abs($0)) }.max() ?? 0
        var worst = 0.0
        for _ in 0..<min(samples, tensor.count) {
            let index = Int(g.next() % UInt64(tensor.count))
            // h = 1e-6 in Double: truncation ~1e-12·f''', rounding ~1e-10; both far below float32 noise.
            let h = 1e-6
            var plus = base
            var minus = base
            plus[t][index] += h
            minus[t][index] -= h
            let fd = (loss(plus) - loss(minus)) / (2 * h)
            worst = max(worst, abs(fd - Double(analytic[t][index])))
        }
        #expect(
            worst <= tolerance * max(scale, 1e-12),
            "\(what): input \(t) gradient off by \(worst) (scale \(scale), tol \(tolerance))",
            sourceLocation: sourceLocation)
    }
}
