// Weight gradient of the 3×3 stride-1 pad-1 convolution by Winograd F(4×4, 3×3), the exact adjoint of
// WinogradF4's forward: d(loss)/dU = Σ_tiles (A dY Aᵀ) ⊙ V, d(loss)/dg = Gᵀ (d(loss)/dU) G (the same
// derivation as WinogradWeightGradient.swift, with 6×6 transformed tiles and 4×4 output tiles).

extension WinogradF4 {
    /// z[36][F][count] ← A dY Aᵀ for every 4×4 tile of dy in tile rows `band`; pixels past the map's edge
    /// count as zero (the forward never wrote them). Rows are read in place (past the bottom: `zero`).
    static func transformGradient(
        _ dy: UnsafePointer<Float>, filters f: Int, height h: Int, width w: Int,
        tileRows band: Range<Int>, count: Int, zero: UnsafePointer<Float>,
        into z: UnsafeMutablePointer<Float>
    ) {
        let tw = tiles(w)
        let per = tiles(h)
        let stride = f * count
        for o in 0..<f {
            for g in band {
                let ti = g % per
                let plane = dy + ((g / per) * f + o) * h * w
                @inline(__always) func row(_ k: Int) -> UnsafePointer<Float> {
                    4 * ti + k < h ? plane + (4 * ti + k) * w : zero
                }
                let rows = (row(0), row(1), row(2), row(3))
                let base = z + o * count + (g - band.lowerBound) * tw
                var tj = 0
                while tj < tw {
                    let lanes = min(8, tw - tj)
                    let inPlace = lanes == 8 && 4 &* (tj &+ 8) <= w
                    // The 4 columns of 8 tiles of one dy row (lanes in `laneTile` order).
                    @inline(__always) func columns(_ r: UnsafePointer<Float>) -> Four {
                        if inPlace { return loadColumns(r + 4 &* tj) }
                        var q = (Vector(), Vector(), Vector(), Vector())
                        for l in 0..<lanes {
                            let first = 4 &* (tj &+ laneTile(l, full: lanes == 8))
                            @inline(__always) func at(_ k: Int) -> Float { first &+ k < w ? r[first &+ k] : 0 }
                            q.0[l] = at(0)
                            q.1[l] = at(1)
                            q.2[l] = at(2)
                            q.3[l] = at(3)
                        }
                        return q
                    }
                    let y0 = columns(rows.0)
                    let y1 = columns(rows.1)
                    let y2 = columns(rows.2)
                    let y3 = columns(rows.3)
                    // Vertical half per column k (P = A dY), then each of P's 6 rows horizontally.
                    let p0 = gradientTransform((y0.0, y1.0, y2.0, y3.0))
                    let p1 = gradientTransform((y0.1, y1.1, y2.1, y3.1))
                    let p2 = gradientTransform((y0.2, y1.2, y2.2, y3.2))
                    let p3 = gradientTransform((y0.3, y1.3, y2.3, y3.3))
                    let out = base + tj
                    let sixth = 6 &* stride
                    store(gradientTransform((p0.0, p1.0, p2.0, p3.0)), at: out, stride: stride, lanes: lanes)
                    store(gradientTransform((p0.1, p1.1, p2.1, p3.1)), at: out + sixth, stride: stride, lanes: lanes)
                    store(
                        gradientTransform((p0.2, p1.2, p2.2, p3.2)), at: out + 2 &* sixth, stride: stride, lanes: lanes)
                    store(
                        gradientTransform((p0.3, p1.3, p2.3, p3.3)), at: out + 3 &* sixth, stride: stride, lanes: lanes)
                    store(
                        gradientTransform((p0.4, p1.4, p2.4, p3.4)), at: out + 4 &* sixth, stride: stride, lanes: lanes)
                    store(
                        gradientTransform((p0.5, p1.5, p2.5, p3.5)), at: out + 5 &* sixth, stride: stride, lanes: lanes)
                    tj &+= 8
                }
            }
        }
    }

    /// dWeight[o, ch] += Gᵀ dU[·][o][ch] G for every filter and channel, 8 channels at a time (contiguous in
    /// dU); the 9 results per kernel are scattered to dWeight's stride of 9.
    static func accumulateKernelGradient(
        _ du: UnsafePointer<Float>, filters f: Int, channels c: Int,
        into dWeight: UnsafeMutablePointer<Float>
    ) {
        let stride = f * c
        for o in 0..<f {
            for first in Swift.stride(from: 0, to: c, by: 8) {
                let lanes = min(8, c - first)
                let u = du + o * c + first
                @inline(__always) func element(_ e: Int) -> Vector {
                    let p = u + e &* stride
                    if lanes == 8 { return load8(p) }
                    var vector = Vector()
                    for l in 0..<lanes { vector[l] = p[l] }
                    return vector
                }
                // T = Gᵀ dU (3 rows × 6 columns b), then each row of T times G.
                @inline(__always) func column(_ b: Int) -> (Vector, Vector, Vector) {
                    kernelGradient(
                        (
                            element(b), element(6 &+ b), element(12 &+ b), element(18 &+ b), element(24 &+ b),
                            element(30 &+ b)
                        ))
                }
                let t0 = column(0)
                let t1 = column(1)
                let t2 = column(2)
                let t3 = column(3)
                let t4 = column(4)
                let t5 = column(5)
                let rows = (
                    kernelGradient((t0.0, t1.0, t2.0, t3.0, t4.0, t5.0)),
                    kernelGradient((t0.1, t1.1, t2.1, t3.1, t4.1, t5.1)),
                    kernelGradient((t0.2, t1.2, t2.2, t3.2, t4.2, t5.2))
                )
                for l in 0..<lanes {
                    let g = dWeight + (o &* c &+ first &+ l) &* 9
                    g[0] += rows.0.0[l]
                    g[1] += rows.0.1[l]
                    g[2] += rows.0.2[l]
                    g[3] += rows.1.0[l]
                    g[4] += rows.1.1[l]
                    g[5] += rows.1.2[l]
                    g[6] += rows.2.0[l]
                    g[7] += rows.2.1[l]
                    g[8] += rows.2.2[l]
                }
            }
        }
    }
}
