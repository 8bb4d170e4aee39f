// 2×2 stride-2 transposed convolution, NCHW: the input-gradient of a 2×2 stride-2 convolution whose
// weight, read as [C_out_conv = C, C_in_conv = F, 2, 2], is this layer's [C, F, 2, 2] array.
// Letters: N batch, C input channels, F output channels, h×w input size (output 2h×2w).

public enum TransposedConvolution {
    /// Floats of column workspace one call needs: F·4·h·w.
    public static func workspaceCount(outputChannels f: Int, height h: Int, width w: Int) -> Int {
        f * 4 * h * w
    }

    /// y[N, F, 2h, 2w] with y[o, 2i+u, 2j+v] = b[o] + Σ_c x[c, i, j]·W[c, o, u, v] (overwrites y).
    public static func forward(
        input x: UnsafePointer<Float>, batch n: Int, channels c: Int, height h: Int, width w: Int,
        weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, outputChannels f: Int,
        output y: UnsafeMutablePointer<Float>, col: UnsafeMutablePointer<Float>
    ) {
        let hw = h * w
        let f4 = f * 4
        for image in 0..<n {
            // col[F·4, h·w] = Wᵀ · x: the conv's dInput GEMM before its col2im.
            GEMM.multiply(
                transA: true, m: f4, n: hw, k: c, a: weight, lda: f4, b: x + image * c * hw, ldb: hw,
                beta: 0, c: col, ldc: hw)
            Im2Col.scatter2x2Stride2(col, channels: f, height: h, width: w, bias: bias, into: y + image * f4 * hw)
        }
    }

    /// Accumulates dWeight[C, F, 2, 2], dBias[F] and dInput[N, C, h, w] from dy[N, F, 2h, 2w];
    /// nil skips a gradient. `col` holds `workspaceCount` floats.
    public static func backward(
        input x: UnsafePointer<Float>, dOutput dy: UnsafePointer<Float>,
        batch n: Int, channels c: Int, height h: Int, width w: Int,
        weight: UnsafePointer<Float>, outputChannels f: Int,
        dInput dx: UnsafeMutablePointer<Float>?, dWeight: UnsafeMutablePointer<Float>?,
        dBias: UnsafeMutablePointer<Float>?, col: UnsafeMutablePointer<Float>
    ) {
        let hw = h * w
        let f4 = f * 4
        for image in 0..<n {
            let dyi = dy + image * f4 * hw
            if let dBias {
                for o in 0..<f { dBias[o] += sum(dyi + o * 4 * hw, count: 4 * hw) }
            }
            // The conv's forward im2col of dy: dcol[F·4, h·w].
            Im2Col.patches2x2Stride2(dyi, channels: f, height: h, width: w, into: col)
            if let dWeight {
                GEMM.multiply(
                    transB: true, m: c, n: f4, k: hw, a: x + image * c * hw, lda: hw, b: col, ldb: hw,
                    beta: 1, c: dWeight, ldc: f4)
            }
            if let dx {
                GEMM.multiply(
                    m: c, n: hw, k: f4, a: weight, lda: f4, b: col, ldb: hw,
                    beta: 1, c: dx + image * c * hw, ldc: hw)
            }
        }
    }
}
