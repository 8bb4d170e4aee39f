// Pooling over planes: 2×2 stride-2 max and average, and global max. A "plane" is one [H, W] map of
// an NCHW tensor, so P = N·C planes. Max-pool gradients go to the first maximum in row-major order.

public enum Pooling {
    /// Calls body(window offsets into the [P, H, W] input in row-major order, output index) for every
    /// 2×2 window; inlined, so each pooling loop compiles to straight code.
    @inline(__always)
    private static func forEachWindow(
        planes p: Int, height h: Int, width w: Int, _ body: (Int, Int, Int, Int, Int) -> Void
    ) {
        let oh = h / 2
        let ow = w / 2
        for plane in 0..<p {
            for i in 0..<oh {
                let top = (plane * h + 2 * i) * w
                let bottom = top + w
                let out = (plane * oh + i) * ow
                for j in 0..<ow { body(top + 2 * j, top + 2 * j + 1, bottom + 2 * j, bottom + 2 * j + 1, out + j) }
            }
        }
    }

    /// Offset of the first maximum of a window in row-major order (strict ">" keeps the first on ties).
    @inline(__always)
    private static func firstMax(_ x: UnsafePointer<Float>, _ a: Int, _ b: Int, _ c: Int, _ d: Int) -> Int {
        // Carrying the running maximum avoids reloading x[at] after each branch.
        var at = a
        var m = x[a]
        let vb = x[b]
        let vc = x[c]
        if vb > m {
            at = b
            m = vb
        }
        if vc > m {
            at = c
            m = vc
        }
        if x[d] > m { at = d }
        return at
    }

    /// y[P, H/2, W/2] = max of each 2×2 block of x[P, H, W] (overwrites y).
    public static func maxForward(
        input x: UnsafePointer<Float>, planes p: Int, height h: Int, width w: Int,
        output y: UnsafeMutablePointer<Float>
    ) {
        // The value alone needs no index: a branch-free max vectorises.
        forEachWindow(planes: p, height: h, width: w) { a, b, c, d, o in y[o] = max(max(x[a], x[b]), max(x[c], x[d])) }
    }

    /// dx[P, H, W] += dy routed to each block's first maximum (accumulates); x is the forward input.
    /// Rows of 8 windows go through SIMD selects (same choice as `firstMax`: strict ">" in row-major
    /// order); the branchy scalar loop was 2% of a 64² step.
    public static func maxBackward(
        input x: UnsafePointer<Float>, dOutput dy: UnsafePointer<Float>,
        planes p: Int, height h: Int, width w: Int, dInput dx: UnsafeMutablePointer<Float>
    ) {
        let oh = h / 2
        let ow = w / 2
        let wide = ow & ~7
        typealias V = SIMD8<Float>
        let zero = V(repeating: 0)
        for plane in 0..<p {
            for i in 0..<oh {
                let top = (plane * h + 2 * i) * w
                let bottom = top + w
                let out = (plane * oh + i) * ow
                for j in stride(from: 0, to: wide, by: 8) {
                    let upper = load16(x + top + 2 * j)
                    let lower = load16(x + bottom + 2 * j)
                    let a = evens(upper)
                    let b = odds(upper)
                    let c = evens(lower)
                    let d = odds(lower)
                    // Running maximum and which of a, b, c, d holds it, as masks.
                    let takeB = b .> a
                    let m1 = a.replacing(with: b, where: takeB)
                    let takeC = c .> m1
                    let m2 = m1.replacing(with: c, where: takeC)
                    let takeD = d .> m2
                    let g = load8(dy + out + j)
                    let gd = zero.replacing(with: g, where: takeD)
                    let rest = g.replacing(with: zero, where: takeD)  // g where the maximum is a, b or c
                    let gc = zero.replacing(with: rest, where: takeC)
                    let rest2 = rest.replacing(with: zero, where: takeC)
                    let gb = zero.replacing(with: rest2, where: takeB)
                    let ga = rest2.replacing(with: zero, where: takeB)
                    store16(dx + top + 2 * j, load16(dx + top + 2 * j) + interleave(ga, gb))
                    store16(dx + bottom + 2 * j, load16(dx + bottom + 2 * j) + interleave(gc, gd))
                }
                for j in wide..<ow {
                    let a = top + 2 * j
                    let c = bottom + 2 * j
                    dx[firstMax(x, a, a + 1, c, c + 1)] += dy[out + j]
                }
            }
        }
    }

    /// y[P, H/2, W/2] = mean of each 2×2 block of x[P, H, W] (overwrites y).
    public static func averageForward(
        input x: UnsafePointer<Float>, planes p: Int, height h: Int, width w: Int,
        output y: UnsafeMutablePointer<Float>
    ) {
        forEachWindow(planes: p, height: h, width: w) { a, b, c, d, o in y[o] = ((x[a] + x[b]) + (x[c] + x[d])) * 0.25 }
    }

    /// dx[P, H, W] += dy/4 spread over each block (accumulates).
    public static func averageBackward(
        dOutput dy: UnsafePointer<Float>, planes p: Int, height h: Int, width w: Int,
        dInput dx: UnsafeMutablePointer<Float>
    ) {
        forEachWindow(planes: p, height: h, width: w) { a, b, c, d, o in
            let g = dy[o] * 0.25
            dx[a] += g
            dx[b] += g
            dx[c] += g
            dx[d] += g
        }
    }

    /// y[P] = max over each plane of x[P, H·W] (overwrites y).
    public static func globalMaxForward(
        input x: UnsafePointer<Float>, planes p: Int, size hw: Int,
        output y: UnsafeMutablePointer<Float>
    ) {
        for plane in 0..<p { y[plane] = x[plane * hw + firstGlobalMax(x + plane * hw, size: hw)] }
    }

    /// dx[P, H·W] += dy[P] at each plane's first maximum (accumulates).
    public static func globalMaxBackward(
        input x: UnsafePointer<Float>, dOutput dy: UnsafePointer<Float>,
        planes p: Int, size hw: Int, dInput dx: UnsafeMutablePointer<Float>
    ) {
        for plane in 0..<p { dx[plane * hw + firstGlobalMax(x + plane * hw, size: hw)] += dy[plane] }
    }

    private static func firstGlobalMax(_ x: UnsafePointer<Float>, size hw: Int) -> Int {
        var at = 0
        for j in 1..<hw where x[j] > x[at] { at = j }
        return at
    }
}
