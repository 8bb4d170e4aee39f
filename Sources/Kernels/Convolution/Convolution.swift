// Stride-1 "same" convolution, 3×3 (pad 1) or 1×1 (pad 0), NCHW: im2col + sgemm per band of rows.
// Letters: N batch, C input channels, F filters, H×W spatial size, k kernel side (3 or 1), R band rows.
// 3×3 layers can instead run Winograd F(2×2, 3×3) (Winograd.swift) or F(4×4, 3×3) (WinogradF4.swift) for
// all three products (forward, input and weight gradient), chosen per layer.
import Foundation

/// How a 3×3 layer's forward, input gradient and weight gradient are computed.
public enum Algorithm3x3: String, Codable, Sendable, CaseIterable {
    /// im2col + sgemm per band of rows of one image.
    case im2col
    /// Winograd F(2×2, 3×3).
    case winograd
    /// Winograd F(4×4, 3×3).
    case winograd4
}

public enum Convolution {
    /// The algorithm a C → F 3×3 layer on an H×W map uses by default. Measured rule (docs/perf/network.md,
    /// batch 8, every 3×3 shape of the model at 224² and 64²): im2col for the C = 3 input layers (their
    /// Winograd GEMMs would have inner size 3) and on 8² maps (too few tiles for the transforms to pay);
    /// F(4×4, 3×3) where a row holds at least 8 of its tiles (W ≥ 29: full 8-tile vectors), 20–40% faster
    /// than F(2×2) there; F(2×2, 3×3) on the 16²–28² maps in between, where F(4×4)'s rows are all tail.
    /// With this rule a training step is faster (changes 6–8 there) and the golden and full test suites
    /// pass; a model can instead put every 3×3 layer on one algorithm (ModelConfiguration.convolution3x3).
    public static func algorithm(channels c: Int, filters f: Int, height h: Int, width w: Int) -> Algorithm3x3 {
        guard min(c, f) >= 16, h * w >= 256 else { return .im2col }
        return WinogradF4.tiles(w) >= 8 ? .winograd4 : .winograd
    }

    /// Column floats a band aims at: 2 MB of columns stays in L2/L3 between im2col and the GEMM
    /// while keeping the GEMM's column count in the thousands at the model's shapes.
    static let bandTarget = 1 << 19

    /// Rows per band for a 3×3 layer: at least 1, at most H.
    public static func bandRows(channels c: Int, height h: Int, width w: Int) -> Int {
        max(1, min(h, bandTarget / max(1, c * 9 * w)))
    }

    /// Floats of workspace `col` (and `dcol`) one call needs: for k = 3 the im2col columns (C·9·R·W) or,
    /// when `algorithm` picks Winograd, the largest of its forward, input-gradient and weight-gradient
    /// needs; none for k = 1 (x is its own col).
    public static func workspaceCount(
        channels c: Int, filters f: Int, height h: Int, width w: Int, kernel k: Int,
        algorithm: Algorithm3x3? = nil
    ) -> Int {
        if k == 1 { return 0 }
        guard let variant = winogradVariant(algorithm ?? self.algorithm(channels: c, filters: f, height: h, width: w))
        else {
            return c * 9 * bandRows(channels: c, height: h, width: w) * w
        }
        // The forward and weight gradient pass C → F, the input gradient F → C.
        return max(
            variant.workspaceCount(inChannels: c, outChannels: f, height: h, width: w),
            variant.workspaceCount(inChannels: f, outChannels: c, height: h, width: w))
    }

    /// Floats a forward needs to keep its input transforms for the weight gradient (`keepInputTransforms`
    /// of `forward`, `keptInputTransforms` of `backward`): 0 when `algorithm` is im2col (nothing to keep).
    public static func inputTransformCount(
        channels c: Int, filters f: Int, height h: Int, width w: Int, kernel k: Int,
        batch n: Int, algorithm: Algorithm3x3? = nil
    ) -> Int {
        guard k == 3 else { return 0 }
        let variant = winogradVariant(algorithm ?? self.algorithm(channels: c, filters: f, height: h, width: w))
        return variant?.inputTransformCount(channels: c, batch: n, height: h, width: w) ?? 0
    }

    /// The Winograd variant that runs `algorithm`, nil for im2col.
    static func winogradVariant(_ algorithm: Algorithm3x3) -> (any WinogradVariant.Type)? {
        switch algorithm {
        case .im2col: return nil
        case .winograd: return Winograd.self
        case .winograd4: return WinogradF4.self
        }
    }

    /// The output-row bands of one image.
    static func bands(channels c: Int, height h: Int, width w: Int) -> StrideTo<Int> {
        stride(from: 0, to: h, by: bandRows(channels: c, height: h, width: w))
    }

    /// y[N, F, H, W] = W[F, C, k, k] ⋆ x[N, C, H, W] + b[F], then max(y, 0) when `relu` (overwrites y).
    /// The ReLU is applied per band while the band is in cache: as a separate op it is a full extra
    /// pass over memory. `col` holds `workspaceCount` floats for the same `algorithm` (nil: the default).
    /// `keepInputTransforms` (`inputTransformCount` floats) keeps Winograd's input transforms for the
    /// `backward` of the same x, which then skips recomputing them for the weight gradient.
    public static func forward(
        input x: UnsafePointer<Float>, batch n: Int, channels c: Int, height h: Int, width w: Int,
        weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, filters f: Int, kernel k: Int, relu: Bool = false,
        output y: UnsafeMutablePointer<Float>, col: UnsafeMutablePointer<Float>, algorithm: Algorithm3x3? = nil,
        keepInputTransforms keep: UnsafeMutablePointer<Float>? = nil
    ) {
        precondition(k == 3 || k == 1, "convolution kernel must be 3 or 1, got \(k)")
        let hw = h * w
        let ck = c * k * k
        let chosen = k == 3 ? algorithm ?? self.algorithm(channels: c, filters: f, height: h, width: w) : .im2col
        if let variant = winogradVariant(chosen) {
            variant.transformWeights(weight, filters: f, channels: c, adjoint: false, into: col)
            variant.convolve(
                input: x, batch: n, channels: c, height: h, width: w, transformed: col, filters: f,
                bias: bias, relu: relu, accumulate: false, output: y, work: col + variant.elements * f * c,
                keep: keep)
            return
        }
        for image in 0..<n {
            let xi = x + image * c * hw
            let yi = y + image * f * hw
            if k == 1 {
                for o in 0..<f { (yi + o * hw).update(repeating: bias[o], count: hw) }
                GEMM.multiply(m: f, n: hw, k: c, a: weight, lda: c, b: xi, ldb: hw, beta: 1, c: yi, ldc: hw)
                if relu { rectify(yi, filters: f, stride: hw, start: 0, count: hw) }
                continue
            }
            let step = bandRows(channels: c, height: h, width: w)
            for top in bands(channels: c, height: h, width: w) {
                let rows = top..<min(h, top + step)
                let columns = rows.count * w
                Im2Col.patches3x3(xi, channels: c, height: h, width: w, rows: rows, into: col)
                // The bias goes in band by band too, so y is first touched while the band is hot.
                for o in 0..<f { (yi + o * hw + top * w).update(repeating: bias[o], count: columns) }
                GEMM.multiply(
                    m: f, n: columns, k: ck, a: weight, lda: ck, b: col, ldb: columns,
                    beta: 1, c: yi + top * w, ldc: hw)
                if relu { rectify(yi, filters: f, stride: hw, start: top * w, count: columns) }
            }
        }
    }

    /// Accumulates dWeight[F, C, k, k], dBias[F] and dInput[N, C, H, W] from dy[N, F, H, W]; pass nil
    /// for a gradient that is not wanted (a frozen layer still passes dInput on). With `reluOutput` (the
    /// forward's rectified y) dy is first masked in place by y > 0, turning it into the gradient before the
    /// ReLU. `col` and `dcol` each hold `workspaceCount` floats for the same `algorithm` (nil: the default).
    /// im2col works band by band per image (dy is masked band by band while hot); Winograd masks the whole
    /// batch first, since its bands span images and each output tile reads dy one row beyond its band.
    /// `keptInputTransforms`: what the forward of this x kept (`keepInputTransforms`), or nil.
    public static func backward(
        input x: UnsafePointer<Float>, dOutput dy: UnsafeMutablePointer<Float>, reluOutput: UnsafePointer<Float>? = nil,
        batch n: Int, channels c: Int, height h: Int, width w: Int,
        weight: UnsafePointer<Float>, filters f: Int, kernel k: Int,
        dInput dx: UnsafeMutablePointer<Float>?, dWeight: UnsafeMutablePointer<Float>?,
        dBias: UnsafeMutablePointer<Float>?,
        col: UnsafeMutablePointer<Float>, dcol: UnsafeMutablePointer<Float>, algorithm: Algorithm3x3? = nil,
        keptInputTransforms kept: UnsafePointer<Float>? = nil
    ) {
        precondition(k == 3 || k == 1, "convolution kernel must be 3 or 1, got \(k)")
        let hw = h * w
        let ck = c * k * k
        let chosen = k == 3 ? algorithm ?? self.algorithm(channels: c, filters: f, height: h, width: w) : .im2col
        if let variant = winogradVariant(chosen) {
            prepare(dy, reluOutput, dBias: dBias, filters: n * f, stride: hw, start: 0, count: hw, biasStride: f)
            if let dWeight {
                variant.weightGradient(
                    input: x, dOutput: dy, batch: n, channels: c, height: h, width: w, filters: f,
                    dWeight: dWeight, work: col, kept: kept)
            }
            if let dx {
                // dx = dy ⋆ (W rotated 180°, C and F swapped): the forward algorithm from F to C channels.
                variant.transformWeights(weight, filters: f, channels: c, adjoint: true, into: dcol)
                variant.convolve(
                    input: dy, batch: n, channels: f, height: h, width: w, transformed: dcol, filters: c,
                    bias: nil, relu: false, accumulate: true, output: dx, work: dcol + variant.elements * f * c)
            }
            return
        }
        for image in 0..<n {
            let xi = x + image * c * hw
            let dyi = dy + image * f * hw
            if k == 1 {
                prepare(
                    dyi, reluOutput.map { $0 + image * f * hw }, dBias: dBias, filters: f, stride: hw, start: 0,
                    count: hw)
                if let dWeight {
                    GEMM.multiply(
                        transB: true, m: f, n: c, k: hw, a: dyi, lda: hw, b: xi, ldb: hw, beta: 1, c: dWeight, ldc: c)
                }
                if let dx {
                    GEMM.multiply(
                        transA: true, m: c, n: hw, k: f, a: weight, lda: c, b: dyi, ldb: hw,
                        beta: 1, c: dx + image * c * hw, ldc: hw)
                }
                continue
            }
            let step = bandRows(channels: c, height: h, width: w)
            for top in bands(channels: c, height: h, width: w) {
                let rows = top..<min(h, top + step)
                let columns = rows.count * w
                prepare(
                    dyi, reluOutput.map { $0 + image * f * hw }, dBias: dBias, filters: f, stride: hw,
                    start: top * w, count: columns)
                if let dWeight {
                    Im2Col.patches3x3(xi, channels: c, height: h, width: w, rows: rows, into: col)
                    GEMM.multiply(
                        transB: true, m: f, n: ck, k: columns, a: dyi + top * w, lda: hw, b: col, ldb: columns,
                        beta: 1, c: dWeight, ldc: ck)
                }
                if let dx {
                    GEMM.multiply(
                        transA: true, m: ck, n: columns, k: f, a: weight, lda: ck, b: dyi + top * w, ldb: hw,
                        beta: 0, c: dcol, ldc: columns)
                    Im2Col.accumulate3x3(dcol, channels: c, height: h, width: w, rows: rows, into: dx + image * c * hw)
                }
            }
        }
    }

    /// max(·, 0) over columns start..<start+count of each of the F rows of a [F, stride] matrix.
    private static func rectify(_ y: UnsafeMutablePointer<Float>, filters f: Int, stride: Int, start: Int, count: Int) {
        let zero = SIMD8<Float>(repeating: 0)
        for o in 0..<f {
            let row = y + o * stride + start
            var j = 0
            while j &+ 8 <= count {
                let v = load8(row + j)
                store8(row + j, zero.replacing(with: v, where: v .> zero))
                j &+= 8
            }
            while j < count {
                row[j] = row[j] > 0 ? row[j] : 0
                j &+= 1
            }
        }
    }

    /// On columns start..<start+count of the rows of dy[rows, stride]: mask by the ReLU output when given
    /// (in place; kept where y > 0), then add each row's sum into dBias[row % biasStride] (rows are the
    /// F filters of one image, or N·F for a whole batch with biasStride F). Vector loops: the compiler
    /// leaves both scalar (the select aliases dy and y; the sum is an ordered float reduction).
    private static func prepare(
        _ dy: UnsafeMutablePointer<Float>, _ y: UnsafePointer<Float>?, dBias: UnsafeMutablePointer<Float>?,
        filters rows: Int, stride: Int, start: Int, count: Int, biasStride: Int? = nil
    ) {
        let zero = SIMD8<Float>(repeating: 0)
        let wide = count & ~7
        for r in 0..<rows {
            let row = dy + r * stride + start
            if let y {
                let mask = y + r * stride + start
                for j in Swift.stride(from: 0, to: wide, by: 8) {
                    store8(row + j, zero.replacing(with: load8(row + j), where: load8(mask + j) .> zero))
                }
                for j in wide..<count { row[j] = mask[j] > 0 ? row[j] : 0 }
            }
            if let dBias { dBias[r % (biasStride ?? rows)] += sum(row, count: count) }
        }
    }
}
