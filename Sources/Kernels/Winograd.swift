// Winograd F(2×2, 3×3) for the 3×3 stride-1 pad-1 convolution's forward and input gradient, NCHW.
// Per band of 2-row output tiles: input tiles → V[16][C][T], 16 sgemms M[e] = U[e]·V[e], output transform.

/// F(2,3) matrices (Lavin & Gray 2016): Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1],
/// G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1], Aᵀ = [1 1 1 0; 0 1 −1 −1]. A 4×4 input tile d and a 3×3
/// kernel g give the 2×2 output Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A: 16 multiplies instead of 36.
/// Odd sides need no special case: the last tile reads zero padding and writes only its valid pixels.
public enum Winograd {
    /// Floats of V + M a band aims at (4 MB): big enough that the 16 GEMMs have a few hundred
    /// columns at the model's deep layers, small enough to stay in L2/L3 between the transforms.
    static let bandTarget = 1 << 20

    /// Output tiles along a side of n pixels (the last one half-used when n is odd).
    @inline(__always) static func tiles(_ n: Int) -> Int { (n + 1) / 2 }

    /// Tile rows per band for a C → F pass over an H×W map.
    public static func bandTileRows(inChannels c: Int, outChannels f: Int, height h: Int, width w: Int) -> Int {
        max(1, min(tiles(h), bandTarget / max(1, 16 * (c + f) * tiles(w))))
    }

    /// Floats one pass needs: U (16·F·C), then V (16·C·T) and M (16·F·T) for a band of T tiles, then
    /// 4 padded rows and one zero row for the input transform.
    public static func workspaceCount(inChannels c: Int, outChannels f: Int, height h: Int, width w: Int) -> Int {
        let t = bandTileRows(inChannels: c, outChannels: f, height: h, width: w) * tiles(w)
        return 16 * f * c + 16 * (c + f) * t + 4 * (2 * tiles(w) + 2) + w
    }

    /// u[16][F][C] ← G g Gᵀ for each g = weight[o, ch] of weight[F, C, 3, 3]. With `adjoint` it is
    /// u[16][C][F] for the input gradient: the kernel rotated 180° with C and F swapped. Reversing g
    /// swaps rows 0 and 3 of G g and leaves rows 1 and 2 (they are symmetric in g), so element (a, b)
    /// of the rotated kernel's transform is element (σa, σb) of the original's, σ = (3, 1, 2, 0).
    public static func transformWeights(_ weight: UnsafePointer<Float>, filters f: Int, channels c: Int,
                                        adjoint: Bool, into u: UnsafeMutablePointer<Float>) {
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 28) { scratch in
            let t = scratch.baseAddress!, r = t + 12   // t = G g (4×3), r = t Gᵀ (4×4)
            for o in 0..<f {
                for ch in 0..<c {
                    let g = weight + (o * c + ch) * 9
                    for v in 0..<3 {
                        let g0 = g[v], g1 = g[3 + v], g2 = g[6 + v]
                        t[v] = g0; t[3 + v] = 0.5 * (g0 + g1 + g2); t[6 + v] = 0.5 * (g0 - g1 + g2); t[9 + v] = g2
                    }
                    for a in 0..<4 {
                        let h0 = t[3 * a], h1 = t[3 * a + 1], h2 = t[3 * a + 2]
                        r[4 * a] = h0; r[4 * a + 1] = 0.5 * (h0 + h1 + h2); r[4 * a + 2] = 0.5 * (h0 - h1 + h2); r[4 * a + 3] = h2
                    }
                    for e in 0..<16 {
                        if adjoint {
                            let a = e / 4, b = e % 4
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

    /// One image: out[F, H, W] from x[C, H, W] and transformed weights u[16][F][C] (from
    /// `transformWeights`). Without `accumulate` out is overwritten with bias[F] + result, rectified when
    /// `relu`; with it the result is added to out (bias and relu ignored). `work` holds
    /// `workspaceCount` − 16·F·C floats (the part after U).
    public static func convolve(
        input x: UnsafePointer<Float>, channels c: Int, height h: Int, width w: Int,
        transformed u: UnsafePointer<Float>, filters f: Int, bias: UnsafePointer<Float>?, relu: Bool,
        accumulate: Bool, output y: UnsafeMutablePointer<Float>, work: UnsafeMutablePointer<Float>
    ) {
        let th = tiles(h), tw = tiles(w)
        let step = bandTileRows(inChannels: c, outChannels: f, height: h, width: w)
        let capacity = step * tw
        let v = work, m = v + 16 * c * capacity, rows = m + 16 * f * capacity, zero = rows + 4 * (2 * tw + 2)
        zero.update(repeating: 0, count: w)
        for top in stride(from: 0, to: th, by: step) {
            let band = top..<min(th, top + step), count = band.count * tw
            transformInput(x, channels: c, height: h, width: w, tileRows: band, count: count, rows: rows, zero: zero, into: v)
            for e in 0..<16 {
                GEMM.multiply(m: f, n: count, k: c, a: u + e * f * c, lda: c, b: v + e * c * count, ldb: count,
                              beta: 0, c: m + e * f * count, ldc: count)
            }
            transformOutput(m, filters: f, height: h, width: w, tileRows: band, count: count, bias: bias, relu: relu,
                            accumulate: accumulate, into: y)
        }
    }

    /// v[16][C][count] ← Bᵀ d B for every tile of tile rows `band`. The vertical half (Bᵀ ·) runs on whole
    /// padded rows; the horizontal half (· B) reads 4 columns per tile at a stride of 2.
    private static func transformInput(_ x: UnsafePointer<Float>, channels c: Int, height h: Int, width w: Int,
                                       tileRows band: Range<Int>, count: Int, rows: UnsafeMutablePointer<Float>,
                                       zero: UnsafePointer<Float>, into v: UnsafeMutablePointer<Float>) {
        let tw = tiles(w), length = 2 * tw + 2
        let b0 = rows, b1 = b0 + length, b2 = b1 + length, b3 = b2 + length
        // Padding columns: index 0 is input column −1, indices past w are beyond the right edge.
        for k in 0..<4 {
            rows[k * length] = 0
            for p in (w + 1)..<length { rows[k * length + p] = 0 }
        }
        for ch in 0..<c {
            let xc = x + ch * h * w
            for ti in band {
                let i = 2 * ti - 1
                @inline(__always) func row(_ r: Int) -> UnsafePointer<Float> { r >= 0 && r < h ? xc + r * w : zero }
                let r0 = row(i), r1 = row(i + 1), r2 = row(i + 2), r3 = row(i + 3)
                for p in 0..<w {
                    b0[p + 1] = r0[p] - r2[p]; b1[p + 1] = r1[p] + r2[p]
                    b2[p + 1] = r2[p] - r1[p]; b3[p + 1] = r1[p] - r3[p]
                }
                let base = v + ch * count + (ti - band.lowerBound) * tw, stride = c * count
                for k in 0..<4 {
                    let b = rows + k * length
                    let o0 = base + 4 * k * stride, o1 = o0 + stride, o2 = o1 + stride, o3 = o2 + stride
                    for tj in 0..<tw {
                        let d0 = b[2 * tj], d1 = b[2 * tj + 1], d2 = b[2 * tj + 2], d3 = b[2 * tj + 3]
                        o0[tj] = d0 - d2; o1[tj] = d1 + d2; o2[tj] = d2 - d1; o3[tj] = d1 - d3
                    }
                }
            }
        }
    }

    /// out ← Aᵀ M A for every tile of tile rows `band` (see `convolve` for bias, relu, accumulate).
    private static func transformOutput(_ m: UnsafePointer<Float>, filters f: Int, height h: Int, width w: Int,
                                        tileRows band: Range<Int>, count: Int, bias: UnsafePointer<Float>?, relu: Bool,
                                        accumulate: Bool, into y: UnsafeMutablePointer<Float>) {
        let tw = tiles(w), full = w / 2, stride = f * count
        for o in 0..<f {
            let b = accumulate ? 0 : bias?[o] ?? 0, yo = y + o * h * w
            for ti in band {
                let s = m + o * count + (ti - band.lowerBound) * tw
                // With an odd height the last tile row has no second output row.
                let top = yo + 2 * ti * w, bottom = top + w, second = 2 * ti + 1 < h
                @inline(__always) func tile(_ tj: Int) -> (Float, Float, Float, Float) {
                    @inline(__always) func e(_ k: Int) -> Float { s[k * stride + tj] }
                    let p00 = e(0) + e(4) + e(8), p01 = e(1) + e(5) + e(9), p02 = e(2) + e(6) + e(10), p03 = e(3) + e(7) + e(11)
                    let p10 = e(4) - e(8) - e(12), p11 = e(5) - e(9) - e(13), p12 = e(6) - e(10) - e(14), p13 = e(7) - e(11) - e(15)
                    return (p00 + p01 + p02, p01 - p02 - p03, p10 + p11 + p12, p11 - p12 - p13)
                }
                @inline(__always) func store(_ p: UnsafeMutablePointer<Float>, _ value: Float) {
                    if accumulate { p.pointee += value } else { let z = value + b; p.pointee = relu && z < 0 ? 0 : z }
                }
                if second {
                    for tj in 0..<full {
                        let (y00, y01, y10, y11) = tile(tj)
                        store(top + 2 * tj, y00); store(top + 2 * tj + 1, y01)
                        store(bottom + 2 * tj, y10); store(bottom + 2 * tj + 1, y11)
                    }
                } else {
                    for tj in 0..<full {
                        let (y00, y01, _, _) = tile(tj)
                        store(top + 2 * tj, y00); store(top + 2 * tj + 1, y01)
                    }
                }
                if full < tw {   // odd width: the last tile's left column only
                    let (y00, _, y10, _) = tile(full)
                    store(top + 2 * full, y00)
                    if second { store(bottom + 2 * full, y10) }
                }
            }
        }
    }
}
