// Winograd F(2×2, 3×3) for the 3×3 stride-1 pad-1 convolution, NCHW: forward and input gradient here.
// Per band of 2-row output tiles: input tiles → V[16][C][T], 16 sgemms M[e] = U[e]·V[e], output transform
// (the band loops: WinogradBands.swift; the weight gradient's transforms: WinogradWeightGradient.swift).
// Bands run over the tile rows of the whole batch, so small maps still give the GEMMs wide matrices.

/// F(2,3) matrices (Lavin & Gray 2016): Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1],
/// G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1], Aᵀ = [1 1 1 0; 0 1 −1 −1]. A 4×4 input tile d and a 3×3
/// kernel g give the 2×2 output Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A: 16 multiplies instead of 36.
/// Odd sides need no special case: the last tile reads zero padding and writes only its valid pixels.
public enum Winograd: WinogradVariant {
    static let elements = 16

    /// The output transform's quarter rows: 4 × tiles(w) floats.
    static func outputScratchCount(width w: Int) -> Int { 4 * tiles(w) }

    /// Floats of V + M a band aims at (4 MB): big enough that the 16 GEMMs have a few hundred
    /// columns at the model's deep layers, small enough to stay in L2/L3 between the transforms.
    static let bandTarget = 1 << 20

    /// Output tiles along a side of n pixels (the last one half-used when n is odd).
    @inline(__always) static func tiles(_ n: Int) -> Int { (n + 1) / 2 }

    /// Tile rows per band for a C → F pass over H×W maps (a band may span images; the count does not
    /// depend on the batch, so neither does the workspace).
    public static func bandTileRows(inChannels c: Int, outChannels f: Int, height h: Int, width w: Int) -> Int {
        max(1, bandTarget / max(1, 16 * (c + f) * tiles(w)))
    }

    /// Floats of the input transform's padded rows.
    static func paddedRowsCount(width w: Int) -> Int { verticalGroup * 4 * (2 * tiles(w) + 2) }

    /// u[16][F][C] ← G g Gᵀ for each g = weight[o, ch] of weight[F, C, 3, 3]. With `adjoint` it is
    /// u[16][C][F] for the input gradient: the kernel rotated 180° with C and F swapped. Reversing g
    /// swaps rows 0 and 3 of G g and leaves rows 1 and 2 (they are symmetric in g), so element (a, b)
    /// of the rotated kernel's transform is element (σa, σb) of the original's, σ = (3, 1, 2, 0).
    public static func transformWeights(
        _ weight: UnsafePointer<Float>, filters f: Int, channels c: Int,
        adjoint: Bool, into u: UnsafeMutablePointer<Float>
    ) {
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 28) { scratch in
            let t = scratch.baseAddress!
            let r = t + 12  // t = G g (4×3), r = t Gᵀ (4×4)
            for o in 0..<f {
                for ch in 0..<c {
                    let g = weight + (o * c + ch) * 9
                    for v in 0..<3 {
                        let g0 = g[v]
                        let g1 = g[3 + v]
                        let g2 = g[6 + v]
                        t[v] = g0
                        t[3 + v] = 0.5 * (g0 + g1 + g2)
                        t[6 + v] = 0.5 * (g0 - g1 + g2)
                        t[9 + v] = g2
                    }
                    for a in 0..<4 {
                        let h0 = t[3 * a]
                        let h1 = t[3 * a + 1]
                        let h2 = t[3 * a + 2]
                        r[4 * a] = h0
                        r[4 * a + 1] = 0.5 * (h0 + h1 + h2)
                        r[4 * a + 2] = 0.5 * (h0 - h1 + h2)
                        r[4 * a + 3] = h2
                    }
                    for e in 0..<16 {
                        if adjoint {
                            let a = e / 4
                            let b = e % 4
                            let flipped = (a == 0 || a == 3 ? 3 - a : a) * 4 + (b == 0 || b == 3 ? 3 - b : b)
                            u[(e * c + ch) * f + o] = r[flipped]
                        } else {
                            u[(e * f + o) * c + ch] = r[e]
                        }
                    }
                }
            }
        }
    }

    /// Tile rows whose vertical half `transformInput` finishes before their horizontal half starts: the
    /// horizontal loads straddle the vertical pass's stores, and reading them back at once stalls on
    /// store forwarding (with one tile row at a time, perf put 39% of this transform's samples on that load).
    static let verticalGroup = 4

    /// v[16][C][count] ← Bᵀ d B for every tile of tile rows `band`. The vertical half (Bᵀ ·) runs on whole
    /// padded rows, `verticalGroup` tile rows at a time; the horizontal half (· B) reads 4 columns per tile
    /// at a stride of 2. `rows` holds `verticalGroup`·4·(2·tiles(w) + 2) floats.
    static func transformInput(
        _ x: UnsafePointer<Float>, channels c: Int, height h: Int, width w: Int,
        tileRows band: Range<Int>, count: Int, rows: UnsafeMutablePointer<Float>,
        zero: UnsafePointer<Float>, into v: UnsafeMutablePointer<Float>
    ) {
        let tw = tiles(w)
        let length = 2 * tw + 2
        let per = tiles(h)
        // Padding columns: index 0 is input column −1, indices past w are beyond the right edge.
        for k in 0..<(4 * verticalGroup) {
            rows[k * length] = 0
            for p in (w + 1)..<length { rows[k * length + p] = 0 }
        }
        for ch in 0..<c {
            for first in stride(from: band.lowerBound, to: band.upperBound, by: verticalGroup) {
                let group = first..<min(band.upperBound, first + verticalGroup)
                for g in group {
                    let ti = g % per
                    let xc = x + ((g / per) * c + ch) * h * w
                    let i = 2 * ti - 1
                    @inline(__always) func row(_ r: Int) -> UnsafePointer<Float> { r >= 0 && r < h ? xc + r * w : zero }
                    let r0 = row(i)
                    let r1 = row(i + 1)
                    let r2 = row(i + 2)
                    let r3 = row(i + 3)
                    let b0 = rows + 4 * (g - first) * length
                    let b1 = b0 + length
                    let b2 = b1 + length
                    let b3 = b2 + length
                    var p = 0
                    while p &+ 8 <= w {
                        let d0 = load8(r0 + p)
                        let d1 = load8(r1 + p)
                        let d2 = load8(r2 + p)
                        let d3 = load8(r3 + p)
                        store8(b0 + (p &+ 1), d0 - d2)
                        store8(b1 + (p &+ 1), d1 + d2)
                        store8(b2 + (p &+ 1), d2 - d1)
                        store8(b3 + (p &+ 1), d1 - d3)
                        p &+= 8
                    }
                    while p < w {
                        b0[p &+ 1] = r0[p] - r2[p]
                        b1[p &+ 1] = r1[p] + r2[p]
                        b2[p &+ 1] = r2[p] - r1[p]
                        b3[p &+ 1] = r1[p] - r3[p]
                        p &+= 1
                    }
                }
                for g in group {
                    let base = v + ch * count + (g - band.lowerBound) * tw
                    let stride = c * count
                    for k in 0..<4 {
                        let b = rows + (4 * (g - first) + k) * length
                        let o0 = base + 4 * k * stride
                        let o1 = o0 + stride
                        let o2 = o1 + stride
                        let o3 = o2 + stride
                        // 8 tiles at a time: two 16-float loads (offsets 0 and 2) split into even and odd lanes
                        // give d0…d3 (the compiler leaves this strided loop scalar on its own).
                        var tj = 0
                        while tj &+ 8 <= tw {
                            let lo = load16(b + 2 &* tj)
                            let hi = load16(b + (2 &* tj &+ 2))
                            let d0 = evens(lo)
                            let d1 = odds(lo)
                            let d2 = evens(hi)
                            let d3 = odds(hi)
                            store8(o0 + tj, d0 - d2)
                            store8(o1 + tj, d1 + d2)
                            store8(o2 + tj, d2 - d1)
                            store8(o3 + tj, d1 - d3)
                            tj &+= 8
                        }
                        while tj < tw {
                            let d0 = b[2 &* tj]
                            let d1 = b[2 &* tj &+ 1]
                            let d2 = b[2 &* tj &+ 2]
                            let d3 = b[2 &* tj &+ 3]
                            o0[tj] = d0 - d2
                            o1[tj] = d1 + d2
                            o2[tj] = d2 - d1
                            o3[tj] = d1 - d3
                            tj &+= 1
                        }
                    }
                }
            }
        }
    }

    /// out ← Aᵀ M A for every tile of tile rows `band` (see `convolve` for bias, relu, accumulate). Two
    /// passes per tile row so both vectorise: the 16 M rows → 4 contiguous quarter-rows in `scratch`
    /// (4·tw floats), then those are interleaved into the two output rows.
    static func transformOutput(
        _ m: UnsafePointer<Float>, filters f: Int, height h: Int, width w: Int,
        tileRows band: Range<Int>, count: Int, bias: UnsafePointer<Float>?, relu: Bool,
        accumulate: Bool, scratch: UnsafeMutablePointer<Float>,
        into y: UnsafeMutablePointer<Float>
    ) {
        let tw = tiles(w)
        let full = w / 2
        let stride = f * count
        let per = tiles(h)
        let q00 = scratch
        let q01 = q00 + tw
        let q10 = q01 + tw
        let q11 = q10 + tw
        for o in 0..<f {
            let b = accumulate ? 0 : bias?[o] ?? 0
            for g in band {
                let ti = g % per
                let yo = y + ((g / per) * f + o) * h * w
                let s = m + o * count + (g - band.lowerBound) * tw
                var tj = 0
                while tj &+ 8 <= tw {
                    @inline(__always) func e(_ k: Int) -> SIMD8<Float> { load8(s + (k &* stride &+ tj)) }
                    let p00 = e(0) + e(4) + e(8)
                    let p01 = e(1) + e(5) + e(9)
                    let p02 = e(2) + e(6) + e(10)
                    let p03 = e(3) + e(7) + e(11)
                    let p10 = e(4) - e(8) - e(12)
                    let p11 = e(5) - e(9) - e(13)
                    let p12 = e(6) - e(10) - e(14)
                    let p13 = e(7) - e(11) - e(15)
                    store8(q00 + tj, p00 + p01 + p02)
                    store8(q01 + tj, p01 - p02 - p03)
                    store8(q10 + tj, p10 + p11 + p12)
                    store8(q11 + tj, p11 - p12 - p13)
                    tj &+= 8
                }
                while tj < tw {
                    @inline(__always) func e(_ k: Int) -> Float { s[k &* stride &+ tj] }
                    let p00 = e(0) + e(4) + e(8)
                    let p01 = e(1) + e(5) + e(9)
                    let p02 = e(2) + e(6) + e(10)
                    let p03 = e(3) + e(7) + e(11)
                    let p10 = e(4) - e(8) - e(12)
                    let p11 = e(5) - e(9) - e(13)
                    let p12 = e(6) - e(10) - e(14)
                    let p13 = e(7) - e(11) - e(15)
                    q00[tj] = p00 + p01 + p02
                    q01[tj] = p01 - p02 - p03
                    q10[tj] = p10 + p11 + p12
                    q11[tj] = p11 - p12 - p13
                    tj &+= 1
                }
                // With an odd height the last tile row has no second output row.
                let top = yo + 2 * ti * w
                emit(top, q00, q01, full: full, odd: full < tw, bias: b, relu: relu, accumulate: accumulate)
                if 2 * ti + 1 < h {
                    emit(top + w, q10, q11, full: full, odd: full < tw, bias: b, relu: relu, accumulate: accumulate)
                }
            }
        }
    }

    /// row[2j] ⊕ left[j], row[2j+1] ⊕ right[j] for j < full, plus row[2·full] ⊕ left[full] when the width
    /// is odd; ⊕ is += with `accumulate`, else = (· + bias), rectified when `relu`. 8 pairs at a time,
    /// one loop per mode so none carries a branch.
    @inline(__always)
    private static func emit(
        _ row: UnsafeMutablePointer<Float>, _ left: UnsafePointer<Float>, _ right: UnsafePointer<Float>,
        full: Int, odd: Bool, bias b: Float, relu: Bool, accumulate: Bool
    ) {
        @inline(__always) func pairs(_ j: Int) -> SIMD16<Float> { interleave(load8(left + j), load8(right + j)) }
        let wide = full & ~7
        let zero = SIMD16<Float>(repeating: 0)
        let bias = SIMD16<Float>(repeating: b)
        if accumulate {
            for j in stride(from: 0, to: wide, by: 8) { store16(row + 2 &* j, load16(row + 2 &* j) + pairs(j)) }
            for j in wide..<full {
                row[2 &* j] += left[j]
                row[2 &* j &+ 1] += right[j]
            }
            if odd { row[2 &* full] += left[full] }
        } else if relu {
            for j in stride(from: 0, to: wide, by: 8) {
                let v = pairs(j) + bias
                store16(row + 2 &* j, v.replacing(with: zero, where: v .< zero))
            }
            for j in wide..<full {
                row[2 &* j] = max(left[j] + b, 0)
                row[2 &* j &+ 1] = max(right[j] + b, 0)
            }
            if odd { row[2 &* full] = max(left[full] + b, 0) }
        } else {
            for j in stride(from: 0, to: wide, by: 8) { store16(row + 2 &* j, pairs(j) + bias) }
            for j in wide..<full {
                row[2 &* j] = left[j] + b
                row[2 &* j &+ 1] = right[j] + b
            }
            if odd { row[2 &* full] = left[full] + b }
        }
    }
}
