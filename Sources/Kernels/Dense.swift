// Fully connected layer on row vectors: y[N, O] = x[N, I]·Wᵀ + b, with W stored [O, I] (PyTorch layout).

public enum Dense {
    /// y[N, O] = x·Wᵀ + b (overwrites y).
    public static func forward(
        input x: UnsafePointer<Float>, batch n: Int, inputs i: Int,
        weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, outputs o: Int,
        output y: UnsafeMutablePointer<Float>
    ) {
        for row in 0..<n { (y + row * o).update(from: bias, count: o) }
        GEMM.multiply(transB: true, m: n, n: o, k: i, a: x, lda: i, b: weight, ldb: i, beta: 1, c: y, ldc: o)
    }

    /// dx[N, I] += dy·W, dW[O, I] += dyᵀ·x, db[O] += Σ_n dy (accumulates; nil skips a gradient).
    public static func backward(
        input x: UnsafePointer<Float>, dOutput dy: UnsafePointer<Float>, batch n: Int,
        inputs i: Int, weight: UnsafePointer<Float>, outputs o: Int,
        dInput dx: UnsafeMutablePointer<Float>?, dWeight: UnsafeMutablePointer<Float>?,
        dBias: UnsafeMutablePointer<Float>?
    ) {
        if let dx {
            GEMM.multiply(m: n, n: i, k: o, a: dy, lda: o, b: weight, ldb: i, beta: 1, c: dx, ldc: i)
        }
        if let dWeight {
            GEMM.multiply(transA: true, m: o, n: i, k: n, a: dy, lda: o, b: x, ldb: i, beta: 1, c: dWeight, ldc: i)
        }
        if let dBias {
            for row in 0..<n {
                for j in 0..<o { dBias[j] += dy[row * o + j] }
            }
        }
    }
}
