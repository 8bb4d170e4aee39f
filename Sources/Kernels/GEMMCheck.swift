// Checks the loaded BLAS's sgemm against a naive float64 loop, so that a forced core type can never
// silently give wrong numbers.

public enum GEMMCheck {
    /// Largest error of sgemm relative to the largest |reference| entry, over all four
    /// transpose combinations of an (m×k)·(k×n) product on deterministic pseudo-random data.
    public static func worstScaledError(m: Int = 67, n: Int = 129, k: Int = 75) -> Double {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Float {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(Int64(bitPattern: state >> 11) % 2001 - 1000) / 1000
        }
        let a = (0..<(m * k)).map { _ in next() }
        let b = (0..<(k * n)).map { _ in next() }
        var worst = 0.0
        for transA in [false, true] {
            for transB in [false, true] {
                // a holds A (m×k) row-major, or Aᵀ (k×m) row-major when transposed: same values.
                var c = [Float](repeating: 0, count: m * n)
                a.withUnsafeBufferPointer { aPointer in
                    b.withUnsafeBufferPointer { bPointer in
                        c.withUnsafeMutableBufferPointer { cPointer in
                            GEMM.multiply(
                                transA: transA, transB: transB, m: m, n: n, k: k,
                                a: aPointer.baseAddress!, lda: transA ? m : k,
                                b: bPointer.baseAddress!, ldb: transB ? k : n,
                                c: cPointer.baseAddress!, ldc: n)
                        }
                    }
                }
                var maxReference = 0.0
                var maxError = 0.0
                for i in 0..<m {
                    for j in 0..<n {
                        var sum = 0.0
                        for p in 0..<k {
                            let aValue = transA ? a[p * m + i] : a[i * k + p]
                            let bValue = transB ? b[j * k + p] : b[p * n + j]
                            sum += Double(aValue) * Double(bValue)
                        }
                        maxReference = max(maxReference, abs(sum))
                        maxError = max(maxError, abs(sum - Double(c[i * n + j])))
                    }
                }
                worst = max(worst, maxError / max(maxReference, .leastNormalMagnitude))
            }
        }
        return worst
    }
}
