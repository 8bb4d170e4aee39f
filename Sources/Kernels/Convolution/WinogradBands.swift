// The band loops that Winograd F(2×2, 3×3) (Winograd.swift) and F(4×4, 3×3) (WinogradF4.swift) share:
// bands of tile rows over the whole batch, one sgemm per transformed-tile element. A variant supplies
// its tile size and its four transforms; Convolution picks the variant per layer.

/// A Winograd F(m×m, 3×3) algorithm: what the shared band loops need from it.
protocol WinogradVariant {
    /// Elements of a transformed tile ((m + 2)²: 16 or 36), one GEMM each.
    static var elements: Int { get }
    /// Output tiles along a side of n pixels (the last one partly used unless m divides n).
    static func tiles(_ n: Int) -> Int
    /// Tile rows per band for a C → F pass (independent of the batch, so the workspace is too).
    static func bandTileRows(inChannels c: Int, outChannels f: Int, height h: Int, width w: Int) -> Int
    /// Floats of the input transform's padded rows, and of the output transform's scratch.
    static func paddedRowsCount(width w: Int) -> Int
    static func outputScratchCount(width w: Int) -> Int
    /// u[E][F][C] ← G g Gᵀ of weight[F, C, 3, 3]; with `adjoint`, u[E][C][F] of the kernel rotated 180°.
    static func transformWeights(
        _ weight: UnsafePointer<Float>, filters f: Int, channels c: Int, adjoint: Bool,
        into u: UnsafeMutablePointer<Float>)
    /// v[E][C][count] ← Bᵀ d B for the tiles of tile rows `band` of x[N, C, H, W].
    static func transformInput(
        _ x: UnsafePointer<Float>, channels c: Int, height h: Int, width w: Int,
        tileRows band: Range<Int>, count: Int, rows: UnsafeMutablePointer<Float>,
        zero: UnsafePointer<Float>, into v: UnsafeMutablePointer<Float>)
    /// out ← Aᵀ M A (+ bias, rectified when `relu`; or added to out with `accumulate`) for tile rows `band`.
    static func transformOutput(
        _ m: UnsafePointer<Float>, filters f: Int, height h: Int, width w: Int,
        tileRows band: Range<Int>, count: Int, bias: UnsafePointer<Float>?, relu: Bool,
        accumulate: Bool, scratch: UnsafeMutablePointer<Float>, into y: UnsafeMutablePointer<Float>)
    /// z[E][F][count] ← A dY Aᵀ for the tiles of tile rows `band` of dy[N, F, H, W].
    static func transformGradient(
        _ dy: UnsafePointer<Float>, filters f: Int, height h: Int, width w: Int,
        tileRows band: Range<Int>, count: Int, zero: UnsafePointer<Float>,
        into z: UnsafeMutablePointer<Float>)
    /// dWeight[o, ch] += Gᵀ dU[·][o][ch] G.
    static func accumulateKernelGradient(
        _ du: UnsafePointer<Float>, filters f: Int, channels c: Int,
        into dWeight: UnsafeMutablePointer<Float>)
}

extension WinogradVariant {
    /// Floats one pass needs (forward, input gradient or weight gradient): U or dU (E·F·C), V (E·C·T) and
    /// M or Z (E·F·T) for a band of T tiles, the padded rows, a zero row and the output scratch.
    static func workspaceCount(inChannels c: Int, outChannels f: Int, height h: Int, width w: Int) -> Int {
        let t = bandTileRows(inChannels: c, outChannels: f, height: h, width: w) * tiles(w)
        return elements * (f * c + (c + f) * t) + paddedRowsCount(width: w) + w + outputScratchCount(width: w)
    }

    /// Floats of the input transforms of a whole batch (V of every band, band after band).
    static func inputTransformCount(channels c: Int, batch n: Int, height h: Int, width w: Int) -> Int {
        elements * c * n * tiles(h) * tiles(w)
    }

    /// out[N, F, H, W] from x[N, C, H, W] and u[E][F][C] from `transformWeights`; `accumulate` adds to out
    /// (bias and relu ignored), otherwise out = bias + result, rectified when `relu`. `work` holds
    /// `workspaceCount` − E·F·C floats (the part after U). `keep`, when given, receives the input
    /// transforms of the whole batch (`inputTransformCount` floats) for `weightGradient` to reuse.
    static func convolve(
        input x: UnsafePointer<Float>, batch n: Int, channels c: Int, height h: Int, width w: Int,
        transformed u: UnsafePointer<Float>, filters f: Int, bias: UnsafePointer<Float>?, relu: Bool,
        accumulate: Bool, output y: UnsafeMutablePointer<Float>, work: UnsafeMutablePointer<Float>,
        keep: UnsafeMutablePointer<Float>? = nil
    ) {
        let e = elements
        let th = n * tiles(h)
        let tw = tiles(w)
        let step = bandTileRows(inChannels: c, outChannels: f, height: h, width: w)
        let capacity = step * tw
        let scratchV = work
        let m = scratchV + e * c * capacity
        let rows = m + e * f * capacity
        let zero = rows + paddedRowsCount(width: w)
        let scratch = zero + w
        zero.update(repeating: 0, count: w)
        for top in stride(from: 0, to: th, by: step) {
            let band = top..<min(th, top + step)
            let count = band.count * tw
            // With `keep`, V goes to its place in the whole batch's transforms, for the weight gradient.
            let v = keep.map { $0 + e * c * top * tw } ?? scratchV
            transformInput(
                x, channels: c, height: h, width: w, tileRows: band, count: count, rows: rows, zero: zero, into: v)
            for k in 0..<e {
                GEMM.multiply(
                    m: f, n: count, k: c, a: u + k * f * c, lda: c, b: v + k * c * count, ldb: count,
                    beta: 0, c: m + k * f * count, ldc: count)
            }
            transformOutput(
                m, filters: f, height: h, width: w, tileRows: band, count: count, bias: bias, relu: relu,
                accumulate: accumulate, scratch: scratch, into: y)
        }
    }

    /// dWeight[F, C, 3, 3] += the gradient of the 3×3 "same" convolution of x[N, C, H, W] given dy[N, F, H, W]
    /// (already masked by the ReLU when there is one): per band, dU[e] += Z[e]·V[e]ᵀ over the band's tiles
    /// (dU = Σ (A dY Aᵀ) ⊙ V, the exact adjoint of the forward), then dW = Gᵀ dU G. `work` holds
    /// `workspaceCount(inChannels: C, outChannels: F, …)` floats; `kept`, when given, holds the input
    /// transforms the forward kept for this x (`convolve`'s `keep`: same bands, same C, F and sides).
    /// (F(4×4) bands 4× the forward's, for longer GEMM inner dimensions, measured 2–5% slower at 224².)
    static func weightGradient(
        input x: UnsafePointer<Float>, dOutput dy: UnsafePointer<Float>, batch n: Int, channels c: Int,
        height h: Int, width w: Int, filters f: Int, dWeight: UnsafeMutablePointer<Float>,
        work: UnsafeMutablePointer<Float>,
        kept: UnsafePointer<Float>? = nil
    ) {
        let e = elements
        let th = n * tiles(h)
        let tw = tiles(w)
        let step = bandTileRows(inChannels: c, outChannels: f, height: h, width: w)
        let capacity = step * tw
        let du = work
        let scratchV = du + e * f * c
        let z = scratchV + e * c * capacity
        let rows = z + e * f * capacity
        let zero = rows + paddedRowsCount(width: w)
        zero.update(repeating: 0, count: w)
        for top in stride(from: 0, to: th, by: step) {
            let band = top..<min(th, top + step)
            let count = band.count * tw
            let v: UnsafePointer<Float>
            if let kept {
                v = kept + e * c * top * tw
            } else {
                transformInput(
                    x, channels: c, height: h, width: w, tileRows: band, count: count, rows: rows, zero: zero,
                    into: scratchV)
                v = UnsafePointer(scratchV)
            }
            transformGradient(dy, filters: f, height: h, width: w, tileRows: band, count: count, zero: zero, into: z)
            for k in 0..<e {
                GEMM.multiply(
                    transB: true, m: f, n: c, k: count, a: z + k * f * count, lda: count, b: v + k * c * count,
                    ldb: count, beta: top == 0 ? 0 : 1, c: du + k * f * c, ldc: c)
            }
        }
        accumulateKernelGradient(du, filters: f, channels: c, into: dWeight)
    }
}
