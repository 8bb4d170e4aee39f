// Stride-1 "same" convolution, 3×3 (pad 1) or 1×1 (pad 0), NCHW: im2col + one sgemm per image.
// Letters: N batch, C input channels, F filters, H×W spatial size, k kernel side (3 or 1).

public enum Convolution {
    /// Floats of column workspace one call needs: C·k²·H·W for k = 3, none for k = 1 (x is its own col).
    public static func workspaceCount(channels c: Int, height h: Int, width w: Int, kernel k: Int) -> Int {
        k == 1 ? 0 : c * k * k * h * w
    }

    /// y[N, F, H, W] = W[F, C, k, k] ⋆ x[N, C, H, W] + b[F] (overwrites y).
    /// `col` holds `workspaceCount` floats.
    public static func forward(
        input x: UnsafePointer<Float>, batch n: Int, channels c: Int, height h: Int, width w: Int,
        weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, filters f: Int, kernel k: Int,
        output y: UnsafeMutablePointer<Float>, col: UnsafeMutablePointer<Float>
    ) {
        precondition(k == 3 || k == 1, "convolution kernel must be 3 or 1, got \(k)")
        let hw = h * w, ck = c * k * k
        for image in 0..<n {
            let xi = x + image * c * hw, yi = y + image * f * hw
            for o in 0..<f { (yi + o * hw).update(repeating: bias[o], count: hw) }
            let patches: UnsafePointer<Float>
            if k == 3 {
                Im2Col.patches3x3(xi, channels: c, height: h, width: w, into: col)
                patches = UnsafePointer(col)
            } else {
                patches = xi
            }
            GEMM.multiply(m: f, n: hw, k: ck, a: weight, lda: ck, b: patches, ldb: hw, beta: 1, c: yi, ldc: hw)
        }
    }

    /// Accumulates dWeight[F, C, k, k], dBias[F] and dInput[N, C, H, W] from dy[N, F, H, W]; pass nil
    /// for a gradient that is not wanted (a frozen layer still passes dInput on).
    /// `col` and `dcol` each hold `workspaceCount` floats.
    public static func backward(
        input x: UnsafePointer<Float>, dOutput dy: UnsafePointer<Float>,
        batch n: Int, channels c: Int, height h: Int, width w: Int,
        weight: UnsafePointer<Float>, filters f: Int, kernel k: Int,
        dInput dx: UnsafeMutablePointer<Float>?, dWeight: UnsafeMutablePointer<Float>?,
        dBias: UnsafeMutablePointer<Float>?,
        col: UnsafeMutablePointer<Float>, dcol: UnsafeMutablePointer<Float>
    ) {
        precondition(k == 3 || k == 1, "convolution kernel must be 3 or 1, got \(k)")
        let hw = h * w, ck = c * k * k
        for image in 0..<n {
            let xi = x + image * c * hw, dyi = dy + image * f * hw
            if let dBias {
                for o in 0..<f {
                    let row = dyi + o * hw
                    var s: Float = 0
                    for j in 0..<hw { s += row[j] }
                    dBias[o] += s
                }
            }
            if let dWeight {
                let patches: UnsafePointer<Float>
                if k == 3 {
                    Im2Col.patches3x3(xi, channels: c, height: h, width: w, into: col)
                    patches = UnsafePointer(col)
                } else {
                    patches = xi
                }
                GEMM.multiply(transB: true, m: f, n: ck, k: hw, a: dyi, lda: hw, b: patches, ldb: hw,
                              beta: 1, c: dWeight, ldc: ck)
            }
            if let dx {
                let dxi = dx + image * c * hw
                if k == 3 {
                    GEMM.multiply(transA: true, m: ck, n: hw, k: f, a: weight, lda: ck, b: dyi, ldb: hw,
                                  beta: 0, c: dcol, ldc: hw)
                    Im2Col.accumulate3x3(dcol, channels: c, height: h, width: w, into: dxi)
                } else {
                    GEMM.multiply(transA: true, m: c, n: hw, k: f, a: weight, lda: c, b: dyi, ldb: hw,
                                  beta: 1, c: dxi, ldc: hw)
                }
            }
        }
    }
}
