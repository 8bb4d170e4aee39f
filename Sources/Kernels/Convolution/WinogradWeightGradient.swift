// Weight gradient of the 3×3 stride-1 pad-1 convolution by Winograd F(2×2, 3×3): the exact adjoint of
// the forward in Winograd.swift. The forward computes each 2×2 output tile as Aᵀ[U ⊙ V]A with
// U = G g Gᵀ and V = Bᵀ d B, so d(loss)/dU = Σ_tiles (A dY Aᵀ) ⊙ V and d(loss)/dg = Gᵀ (d(loss)/dU) G.
// Per band of tile rows: V[16][C][T] (the forward's input transform), Z[16][F][T] = A dY Aᵀ, then 16
// sgemms dU[e] += Z[e]·V[e]ᵀ with the tiles as the inner dimension: 16 multiplies per tile instead of 36
// (the band loop: WinogradBands.swift; its transforms are here).

extension Winograd {
    /// z[16][F][count] ← A dY Aᵀ for every 2×2 tile of dy in tile rows `band`, A = [1 0; 1 1; 1 −1; 0 −1]
    /// (Aᵀ of the forward, transposed). Pixels past the map's edge (odd sides) count as zero: the forward
    /// never wrote them. Rows are read in place (a row past the bottom is `zero`, w floats); only the
    /// last, partial group of 8 tiles goes through the scalar loop, which checks the right edge.
    static func transformGradient(
        _ dy: UnsafePointer<Float>, filters f: Int, height h: Int, width w: Int,
        tileRows band: Range<Int>, count: Int, zero: UnsafePointer<Float>,
        into z: UnsafeMutablePointer<Float>
    ) {
        let tw = tiles(w)
        let per = tiles(h)
        let stride = f * count
        let wide = (w / 16) * 8
        for o in 0..<f {
            for g in band {
                let ti = g % per
                let plane = dy + ((g / per) * f + o) * h * w
                let top = plane + 2 * ti * w
                let bottom = 2 * ti + 1 < h ? top + w : zero
                let base = z + o * count + (g - band.lowerBound) * tw
                @inline(__always) func out(_ e: Int) -> UnsafeMutablePointer<Float> { base + e &* stride }
                var tj = 0
                while tj < wide {
                    let upper = load16(top + 2 &* tj)
                    let lower = load16(bottom + 2 &* tj)
                    let y00 = evens(upper)
                    let y01 = odds(upper)
                    let y10 = evens(lower)
                    let y11 = odds(lower)
                    // P = A dY (4×2), then Z = P Aᵀ (4×4); row a of Z goes to elements 4a…4a+3.
                    @inline(__always) func row(_ a: Int, _ left: SIMD8<Float>, _ right: SIMD8<Float>) {
                        store8(out(4 &* a) + tj, left)
                        store8(out(4 &* a &+ 1) + tj, left + right)
                        store8(out(4 &* a &+ 2) + tj, left - right)
                        store8(out(4 &* a &+ 3) + tj, -right)
                    }
                    row(0, y00, y01)
                    row(1, y00 + y10, y01 + y11)
                    row(2, y00 - y10, y01 - y11)
                    row(3, -y10, -y11)
                    tj &+= 8
                }
                while tj < tw {
                    let right = 2 &* tj &+ 1 < w
                    let y00 = top[2 &* tj]
                    let y01 = right ? top[2 &* tj &+ 1] : 0
                    let y10 = bottom[2 &* tj]
                    let y11 = right ? bottom[2 &* tj &+ 1] : 0
                    @inline(__always) func row(_ a: Int, _ left: Float, _ right: Float) {
                        out(4 &* a)[tj] = left
                        out(4 &* a &+ 1)[tj] = left + right
                        out(4 &* a &+ 2)[tj] = left - right
                        out(4 &* a &+ 3)[tj] = -right
                    }
                    row(0, y00, y01)
                    row(1, y00 + y10, y01 + y11)
                    row(2, y00 - y10, y01 - y11)
                    row(3, -y10, -y11)
                    tj &+= 1
                }
            }
        }
    }

    /// dWeight[o, ch] += Gᵀ dU[·][o][ch] G for every filter and channel, G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1].
    static func accumulateKernelGradient(
        _ du: UnsafePointer<Float>, filters f: Int, channels c: Int,
        into dWeight: UnsafeMutablePointer<Float>
    ) {
        let stride = f * c
        for o in 0..<f {
            for ch in 0..<c {
                let u = du + o * c + ch
                let g = dWeight + (o * c + ch) * 9
                @inline(__always) func e(_ k: Int) -> Float { u[k &* stride] }
                // T = Gᵀ dU (3×4), row by row over the four columns b.
                var t = (SIMD4<Float>(), SIMD4<Float>(), SIMD4<Float>())
                for b in 0..<4 {
                    let d0 = e(b)
                    let d1 = e(4 &+ b)
                    let d2 = e(8 &+ b)
                    let d3 = e(12 &+ b)
                    t.0[b] = d0 + 0.5 * (d1 + d2)
                    t.1[b] = 0.5 * (d1 - d2)
                    t.2[b] = 0.5 * (d1 + d2) + d3
                }
                @inline(__always) func row(_ i: Int, _ r: SIMD4<Float>) {
                    g[3 &* i] += r[0] + 0.5 * (r[1] + r[2])
                    g[3 &* i &+ 1] += 0.5 * (r[1] - r[2])
                    g[3 &* i &+ 2] += 0.5 * (r[1] + r[2]) + r[3]
                }
                row(0, t.0)
                row(1, t.1)
                row(2, t.2)
            }
        }
    }
}
