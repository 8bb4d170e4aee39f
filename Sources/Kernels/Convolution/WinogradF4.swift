// Winograd F(4×4, 3×3) for the 3×3 stride-1 pad-1 convolution, NCHW: forward, input gradient and
// weight gradient. 6×6 input tiles at a stride of 4 give 4×4 outputs with 36 multiplies instead of 144
// (F(2×2, 3×3) in Winograd.swift needs 64 for the same 16 outputs), and the transformed tiles are
// 2.25× the input instead of 4×, so the transforms move less memory too. The band loops (36 sgemms
// per band of tile rows over the whole batch) are WinogradBands.swift's; the transforms here run
// SIMD8 over 8 tiles.
// Matrices (Lavin & Gray 2016, points 0, ±1, ±2, ∞):
//   Bᵀ = [4 0 −5 0 1 0; 0 −4 −4 1 1 0; 0 4 −4 −1 1 0; 0 −2 −1 2 1 0; 0 2 −1 −2 1 0; 0 4 0 −5 0 1]
//   G = [¼ 0 0; −⅙ −⅙ −⅙; −⅙ ⅙ −⅙; 1/24 1/12 ⅙; 1/24 −1/12 ⅙; 0 0 1]
//   Aᵀ = [1 1 1 1 1 0; 0 1 −1 2 −2 0; 0 1 1 4 4 0; 0 1 −1 8 −8 1]

public enum WinogradF4: WinogradVariant {
    static let elements = 36
    typealias Vector = SIMD8<Float>
    typealias Six = (Vector, Vector, Vector, Vector, Vector, Vector)
    typealias Four = (Vector, Vector, Vector, Vector)

    /// Floats of V + M a band aims at (4 MB), as for F(2×2, 3×3).
    static let bandTarget = 1 << 20
    /// Tile rows whose vertical input transform is finished before their horizontal half reads it back
    /// (see `Winograd.verticalGroup`: reading fresh stores at once stalls on store forwarding).
    static let verticalGroup = 2

    /// Output tiles along a side of n pixels (the last one partly used unless 4 divides n).
    @inline(__always) static func tiles(_ n: Int) -> Int { (n + 3) / 4 }

    /// A padded row: index 0 is input column −1, index p + 1 column p, zeros to the end; long enough for
    /// the 8-tile loads (36 floats from 4·tj).
    @inline(__always) static func rowLength(_ w: Int) -> Int { 4 * tiles(w) + 8 }

    public static func bandTileRows(inChannels c: Int, outChannels f: Int, height h: Int, width w: Int) -> Int {
        max(1, bandTarget / max(1, 36 * (c + f) * tiles(w)))
    }

    /// The output transform's vertical half for 8 tiles: 4 rows × 6 columns of SIMD8.
    static func outputScratchCount(width w: Int) -> Int { 4 * 6 * 8 }

    /// Floats of the input transform's padded rows (6 per tile row of a vertical group).
    static func paddedRowsCount(width w: Int) -> Int { verticalGroup * 6 * rowLength(w) }

    // MARK: the four small transforms, on 8 tiles at once

    /// Bᵀ d for the 6 values of a tile's column (or row).
    @inline(__always) static func inputTransform(_ d: Six) -> Six {
        let (d0, d1, d2, d3, d4, d5) = d
        // Shared sums, then fused multiply-adds (14 vector operations per 6 values).
        let a = d4 - d2
        let b = d3 - d1
        return (
            d4.addingProduct(d2, -5).addingProduct(d0, 4),
            (d3 + d4).addingProduct(d1 + d2, -4),
            (d4 - d3).addingProduct(d1 - d2, 4),
            a.addingProduct(b, 2),
            a.addingProduct(b, -2),
            d5.addingProduct(d3, -5).addingProduct(d1, 4)
        )
    }

    /// Aᵀ m for the 6 values of a transformed tile's column (or row).
    @inline(__always) static func outputTransform(_ m: Six) -> Four {
        let (m0, m1, m2, m3, m4, m5) = m
        let sum12 = m1 + m2
        let difference12 = m1 - m2
        let sum34 = m3 + m4
        let difference34 = m3 - m4
        return (
            m0 + sum12 + sum34, difference12.addingProduct(difference34, 2), sum12.addingProduct(sum34, 4),
            (difference12 + m5).addingProduct(difference34, 8)
        )
    }

    /// A y (A = Aᵀ transposed) for the 4 values of an output-gradient tile's column (or row).
    @inline(__always) static func gradientTransform(_ y: Four) -> Six {
        let (y0, y1, y2, y3) = y
        let even = y0 + y2
        let odd = y1 + y3
        let even4 = y0.addingProduct(y2, 4)
        let odd4 = (y1 + y1).addingProduct(y3, 8)
        return (y0, even + odd, even - odd, even4 + odd4, even4 - odd4, y3)
    }

    // MARK: weights

    /// G g for three kernel values (a column or row of the 3×3 kernel), 8 kernels at once.
    @inline(__always) static func kernelTransform(_ g0: Vector, _ g1: Vector, _ g2: Vector) -> Six {
        let outer = g0 + g2
        let quarter = g0 * 0.25
        let sixth = Vector(repeating: 1.0 / 6)
        let middle = g0 * (1.0 / 24) + g2 * (1.0 / 6)
        let odd = g1 * (1.0 / 12)
        return (quarter, -(outer + g1) * sixth, (g1 - outer) * sixth, middle + odd, middle - odd, g2)
    }

    /// Gᵀ d for six transformed values: the adjoint of `kernelTransform`, 8 kernels at once.
    @inline(__always) static func kernelGradient(_ d: Six) -> (Vector, Vector, Vector) {
        let (d0, d1, d2, d3, d4, d5) = d
        let sixth = Vector(repeating: 1.0 / 6)
        return (
            d0 * 0.25 - (d1 + d2) * sixth + (d3 + d4) * (1.0 / 24),
            (d2 - d1) * sixth + (d3 - d4) * (1.0 / 12),
            (d3 + d4 - d1 - d2) * sixth + d5
        )
    }

    /// u[36][F][C] ← G g Gᵀ for each g = weight[o, ch] of weight[F, C, 3, 3]. With `adjoint` it is
    /// u[36][C][F] of the kernel rotated 180° (C and F swapped), for the input gradient. 8 kernels at a
    /// time along the dimension that is contiguous in u (ch, or o for the adjoint); their 9 taps are
    /// gathered (stride 9, or 9·C).
    public static func transformWeights(
        _ weight: UnsafePointer<Float>, filters f: Int, channels c: Int,
        adjoint: Bool, into u: UnsafeMutablePointer<Float>
    ) {
        // Outer: the other dimension; inner: 8 lanes of the contiguous one.
        let outer = adjoint ? c : f
        let inner = adjoint ? f : c
        for i in 0..<outer {
            for first in stride(from: 0, to: inner, by: 8) {
                let lanes = min(8, inner - first)
                @inline(__always) func kernel(_ l: Int) -> UnsafePointer<Float> {
                    adjoint ? weight + ((first &+ l) &* c &+ i) &* 9 : weight + (i &* c &+ first &+ l) &* 9
                }
                @inline(__always) func tap(_ k: Int) -> Vector {
                    var vector = Vector()
                    for l in 0..<lanes { vector[l] = kernel(l)[adjoint ? 8 &- k : k] }
                    return vector
                }
                // t = G g (6 rows × 3 columns), then each row of t times Gᵀ.
                let c0 = kernelTransform(tap(0), tap(3), tap(6))
                let c1 = kernelTransform(tap(1), tap(4), tap(7))
                let c2 = kernelTransform(tap(2), tap(5), tap(8))
                let out = u + (i &* inner &+ first)
                let e6 = 6 &* outer &* inner
                store(kernelTransform(c0.0, c1.0, c2.0), at: out, stride: outer &* inner, lanes: lanes)
                store(kernelTransform(c0.1, c1.1, c2.1), at: out + e6, stride: outer &* inner, lanes: lanes)
                store(kernelTransform(c0.2, c1.2, c2.2), at: out + 2 &* e6, stride: outer &* inner, lanes: lanes)
                store(kernelTransform(c0.3, c1.3, c2.3), at: out + 3 &* e6, stride: outer &* inner, lanes: lanes)
                store(kernelTransform(c0.4, c1.4, c2.4), at: out + 4 &* e6, stride: outer &* inner, lanes: lanes)
                store(kernelTransform(c0.5, c1.5, c2.5), at: out + 5 &* e6, stride: outer &* inner, lanes: lanes)
            }
        }
    }

    // MARK: 8 tiles × 4 columns ↔ 4 column vectors
    //
    // A full chunk of 8 tiles keeps its tiles in the lane order 0 2 4 6 1 3 5 7: that is what the
    // two-level unpack/shuffle transpose below produces (8 in-lane shuffles for 32 floats, against
    // about 40 lane-crossing ones to gather stride-4 lanes in tile order). The order only has to agree
    // among V, M and Z, which all place chunks the same way; a partial chunk (fewer than 8 tiles
    // left) keeps tile order, and every lane-by-lane path maps lanes to tiles with `laneTile`.

    /// The tile (0–7, within its chunk) that lane l holds.
    @inline(__always) static func laneTile(_ l: Int, full: Bool) -> Int { full ? (l & 3) &* 2 &+ (l >> 2) : l }

    /// 32 consecutive floats (r0: tiles 0–1, r1: 2–3, r2: 4–5, r3: 6–7, 4 columns each) → the 4 columns.
    @inline(__always) static func columns(_ r0: Vector, _ r1: Vector, _ r2: Vector, _ r3: Vector) -> Four {
        let u0 = Vector(r0[0], r1[0], r0[1], r1[1], r0[4], r1[4], r0[5], r1[5])
        let u1 = Vector(r0[2], r1[2], r0[3], r1[3], r0[6], r1[6], r0[7], r1[7])
        let u2 = Vector(r2[0], r3[0], r2[1], r3[1], r2[4], r3[4], r2[5], r3[5])
        let u3 = Vector(r2[2], r3[2], r2[3], r3[3], r2[6], r3[6], r2[7], r3[7])
        return (
            Vector(u0[0], u0[1], u2[0], u2[1], u0[4], u0[5], u2[4], u2[5]),
            Vector(u0[2], u0[3], u2[2], u2[3], u0[6], u0[7], u2[6], u2[7]),
            Vector(u1[0], u1[1], u3[0], u3[1], u1[4], u1[5], u3[4], u3[5]),
            Vector(u1[2], u1[3], u3[2], u3[3], u1[6], u1[7], u3[6], u3[7])
        )
    }

    /// The inverse of `columns`: 4 column vectors → 32 consecutive pixels (4 vectors of 8).
    @inline(__always) static func pixels(_ c: Four) -> Four {
        let (c0, c1, c2, c3) = c
        let a = Vector(c0[0], c1[0], c0[1], c1[1], c0[4], c1[4], c0[5], c1[5])
        let b = Vector(c2[0], c3[0], c2[1], c3[1], c2[4], c3[4], c2[5], c3[5])
        let a2 = Vector(c0[2], c1[2], c0[3], c1[3], c0[6], c1[6], c0[7], c1[7])
        let b2 = Vector(c2[2], c3[2], c2[3], c3[3], c2[6], c3[6], c2[7], c3[7])
        return (
            Vector(a[0], a[1], b[0], b[1], a[4], a[5], b[4], b[5]),
            Vector(a[2], a[3], b[2], b[3], a[6], a[7], b[6], b[7]),
            Vector(a2[0], a2[1], b2[0], b2[1], a2[4], a2[5], b2[4], b2[5]),
            Vector(a2[2], a2[3], b2[2], b2[3], a2[6], a2[7], b2[6], b2[7])
        )
    }

    /// The 4 columns of 8 tiles whose first pixels start at p (32 floats from p).
    @inline(__always) static func loadColumns(_ p: UnsafePointer<Float>) -> Four {
        columns(load8(p), load8(p + 8), load8(p + 16), load8(p + 24))
    }

    /// v[36][C][count] ← Bᵀ d B for every tile of tile rows `band`: the vertical half on whole padded rows,
    /// the horizontal half 8 tiles at a time (tails gather their lanes).
    static func transformInput(
        _ x: UnsafePointer<Float>, channels c: Int, height h: Int, width w: Int,
        tileRows band: Range<Int>, count: Int, rows: UnsafeMutablePointer<Float>,
        zero: UnsafePointer<Float>, into v: UnsafeMutablePointer<Float>
    ) {
        let tw = tiles(w)
        let length = rowLength(w)
        let per = tiles(h)
        let stride = c * count
        for k in 0..<(6 * verticalGroup) {
            rows[k * length] = 0
            for p in (w + 1)..<length { rows[k * length + p] = 0 }
        }
        for ch in 0..<c {
            for first in Swift.stride(from: band.lowerBound, to: band.upperBound, by: verticalGroup) {
                let group = first..<min(band.upperBound, first + verticalGroup)
                for g in group {
                    let ti = g % per
                    let xc = x + ((g / per) * c + ch) * h * w
                    let i = 4 * ti - 1
                    @inline(__always) func row(_ r: Int) -> UnsafePointer<Float> { r >= 0 && r < h ? xc + r * w : zero }
                    let r0 = row(i)
                    let r1 = row(i + 1)
                    let r2 = row(i + 2)
                    let r3 = row(i + 3)
                    let r4 = row(i + 4)
                    let r5 = row(i + 5)
                    let b = rows + 6 * (g - first) * length + 1
                    var p = 0
                    while p &+ 8 <= w {
                        store(
                            inputTransform(
                                (
                                    load8(r0 + p), load8(r1 + p), load8(r2 + p), load8(r3 + p), load8(r4 + p),
                                    load8(r5 + p)
                                )), at: b + p, stride: length, lanes: 8)
                        p &+= 8
                    }
                    if p < w {
                        let lanes = w - p
                        @inline(__always) func gather(_ r: UnsafePointer<Float>) -> Vector {
                            var vector = Vector()
                            for l in 0..<lanes { vector[l] = r[p + l] }
                            return vector
                        }
                        store(
                            inputTransform((gather(r0), gather(r1), gather(r2), gather(r3), gather(r4), gather(r5))),
                            at: b + p, stride: length, lanes: lanes)
                    }
                }
                for g in group {
                    let base = v + ch * count + (g - band.lowerBound) * tw
                    for a in 0..<6 {
                        let b = rows + (6 * (g - first) + a) * length
                        let out = base + 6 * a * stride
                        var tj = 0
                        while tj &+ 8 <= tw {
                            // A tile's 6 columns are its own 4 and the first 2 of the next tile's.
                            let p = b + 4 &* tj
                            let d = loadColumns(p)
                            let next = loadColumns(p + 4)
                            store(
                                inputTransform((d.0, d.1, d.2, d.3, next.0, next.1)), at: out + tj, stride: stride,
                                lanes: 8)
                            tj &+= 8
                        }
                        if tj < tw {
                            let lanes = tw - tj
                            @inline(__always) func gather(_ k: Int) -> Vector {
                                var vector = Vector()
                                for l in 0..<lanes { vector[l] = b[4 &* (tj &+ l) &+ k] }
                                return vector
                            }
                            store(
                                inputTransform((gather(0), gather(1), gather(2), gather(3), gather(4), gather(5))),
                                at: out + tj, stride: stride, lanes: lanes)
                        }
                    }
                }
            }
        }
    }

    /// out ← Aᵀ M A for every tile of tile rows `band` (see `convolve` for bias, relu, accumulate): the
    /// vertical half into `scratch` (4 × 6 vectors), then each output row's 4 vectors interleaved into 32
    /// pixels; tiles that reach past the right edge go pixel by pixel.
    static func transformOutput(
        _ m: UnsafePointer<Float>, filters f: Int, height h: Int, width w: Int,
        tileRows band: Range<Int>, count: Int, bias: UnsafePointer<Float>?, relu: Bool,
        accumulate: Bool, scratch: UnsafeMutablePointer<Float>,
        into y: UnsafeMutablePointer<Float>
    ) {
        let tw = tiles(w)
        let stride = f * count
        let per = tiles(h)
        for o in 0..<f {
            let b = accumulate ? 0 : bias?[o] ?? 0
            for g in band {
                let ti = g % per
                let yo = y + ((g / per) * f + o) * h * w
                let s = m + o * count + (g - band.lowerBound) * tw
                let outputRows = min(4, h - 4 * ti)
                var tj = 0
                while tj < tw {
                    let lanes = min(8, tw - tj)
                    @inline(__always) func element(_ e: Int) -> Vector {
                        let p = s + (e &* stride &+ tj)
                        if lanes == 8 { return load8(p) }
                        var vector = Vector()
                        for l in 0..<lanes { vector[l] = p[l] }
                        return vector
                    }
                    for column in 0..<6 {
                        let q = outputTransform(
                            (
                                element(column), element(6 &+ column), element(12 &+ column),
                                element(18 &+ column), element(24 &+ column), element(30 &+ column)
                            ))
                        store8(scratch + 8 &* column, q.0)
                        store8(scratch + 8 &* (6 &+ column), q.1)
                        store8(scratch + 8 &* (12 &+ column), q.2)
                        store8(scratch + 8 &* (18 &+ column), q.3)
                    }
                    for r in 0..<outputRows {
                        let t = scratch + 48 &* r
                        let q = outputTransform(
                            (load8(t), load8(t + 8), load8(t + 16), load8(t + 24), load8(t + 32), load8(t + 40)))
                        let offset: Int = (4 &* ti &+ r) &* w &+ 4 &* tj
                        let row = yo + offset
                        if lanes == 8 && 4 &* (tj &+ 8) <= w {
                            let r = pixels(q)
                            emit(row, r.0, bias: b, relu: relu, accumulate: accumulate)
                            emit(row + 8, r.1, bias: b, relu: relu, accumulate: accumulate)
                            emit(row + 16, r.2, bias: b, relu: relu, accumulate: accumulate)
                            emit(row + 24, r.3, bias: b, relu: relu, accumulate: accumulate)
                        } else {
                            @inline(__always) func pixel(_ k: Int, _ value: Float, _ l: Int) {
                                let tile = laneTile(l, full: lanes == 8)
                                guard 4 &* (tj &+ tile) &+ k < w else { return }
                                let target = row + (4 &* tile &+ k)
                                if accumulate {
                                    target.pointee += value
                                } else {
                                    let biased = value + b
                                    target.pointee = relu ? max(biased, 0) : biased
                                }
                            }
                            for l in 0..<lanes {
                                pixel(0, q.0[l], l)
                                pixel(1, q.1[l], l)
                                pixel(2, q.2[l], l)
                                pixel(3, q.3[l], l)
                            }
                        }
                    }
                    tj &+= 8
                }
            }
        }
    }

    /// Six vectors at p, p + stride, …, p + 5·stride; only the first `lanes` lanes of each when fewer than 8.
    @inline(__always)
    static func store(_ o: Six, at p: UnsafeMutablePointer<Float>, stride: Int, lanes: Int) {
        if lanes == 8 {
            store8(p, o.0)
            store8(p + stride, o.1)
            store8(p + 2 &* stride, o.2)
            store8(p + 3 &* stride, o.3)
            store8(p + 4 &* stride, o.4)
            store8(p + 5 &* stride, o.5)
            return
        }
        for l in 0..<lanes {
            p[l] = o.0[l]
            p[stride &+ l] = o.1[l]
            p[2 &* stride &+ l] = o.2[l]
            p[3 &* stride &+ l] = o.3[l]
            p[4 &* stride &+ l] = o.4[l]
            p[5 &* stride &+ l] = o.5[l]
        }
    }

    /// 8 output pixels: += with `accumulate`, else = value + bias, rectified when `relu`.
    @inline(__always)
    private static func emit(
        _ row: UnsafeMutablePointer<Float>, _ values: Vector, bias b: Float, relu: Bool, accumulate: Bool
    ) {
        if accumulate {
            store8(row, load8(row) + values)
            return
        }
        let biased = values + Vector(repeating: b)
        store8(row, relu ? biased.replacing(with: 0, where: biased .< 0) : biased)
    }
}
