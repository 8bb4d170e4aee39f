// Stride-1 "same" convolution, 3×3 (pad 1) or 1×1 (pad 0), NCHW: im2col + sgemm per band of rows.
// Letters: N batch, C input channels, F filters, H×W spatial size, k kernel side (3 or 1), R band rows.

public enum Convolution {
    /// Column floats a band aims at: 2 MB of columns stays in L2/L3 between im2col and the GEMM
    /// while keeping the GEMM's column count in the thousands at the model's shapes.
    static let bandTarget = 1 << 19

    /// Rows per band for a 3×3 layer: at least 1, at most H.
    public static func bandRows(channels c: Int, height h: Int, width w: Int) -> Int {
        max(1, min(h, bandTarget / max(1, c * 9 * w)))
    }

    /// Floats of column workspace one call needs: C·9·R·W for k = 3, none for k = 1 (x is its own col).
    public static func workspaceCount(channels c: Int, height h: Int, width w: Int, kernel k: Int) -> Int {
        k == 1 ? 0 : c * 9 * bandRows(channels: c, height: h, width: w) * w
    }

    /// The output-row bands of one image.
    static func bands(channels c: Int, height h: Int, width w: Int) -> StrideTo<Int> {
        stride(from: 0, to: h, by: bandRows(channels: c, height: h, width: w))
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
            if k == 1 {
                GEMM.multiply(m: f, n: hw, k: c, a: weight, lda: c, b: xi, ldb: hw, beta: 1, c: yi, ldc: hw)
                continue
            }
            let step = bandRows(channels: c, height: h, width: w)
            for top in bands(channels: c, height: h, width: w) {
                let rows = top..<min(h, top + step), columns = rows.count * w
                Im2Col.patches3x3(xi, channels: c, height: h, width: w, rows: rows, into: col)
                GEMM.multiply(m: f, n: columns, k: ck, a: weight, lda: ck, b: col, ldb: columns,
                              beta: 1, c: yi + top * w, ldc: hw)
            }
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
            if k == 1 {
                if let dWeight {
                    GEMM.multiply(transB: true, m: f, n: c, k: hw, a: dyi, lda: hw, b: xi, ldb: hw, beta: 1, c: dWeight, ldc: c)
                }
                if let dx {
                    GEMM.multiply(transA: true, m: c, n: hw, k: f, a: weight, lda: c, b: dyi, ldb: hw,
                                  beta: 1, c: dx + image * c * hw, ldc: hw)
                }
                continue
            }
            let step = bandRows(channels: c, height: h, width: w)
            for top in bands(channels: c, height: h, width: w) {
                let rows = top..<min(h, top + step), columns = rows.count * w
                if let dWeight {
                    Im2Col.patches3x3(xi, channels: c, height: h, width: w, rows: rows, into: col)
                    GEMM.multiply(transB: true, m: f, n: ck, k: columns, a: dyi + top * w, lda: hw, b: col, ldb: columns,
                                  beta: 1, c: dWeight, ldc: ck)
                }
                if let dx {
                    GEMM.multiply(transA: true, m: ck, n: columns, k: f, a: weight, lda: ck, b: dyi + top * w, ldb: hw,
                                  beta: 0, c: dcol, ldc: columns)
                    Im2Col.accumulate3x3(dcol, channels: c, height: h, width: w, rows: rows, into: dx + image * c * hw)
                }
            }
        }
    }
}
