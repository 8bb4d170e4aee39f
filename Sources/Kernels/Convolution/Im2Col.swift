// Patch extraction (im2col) and its adjoint (col2im) for the two convolution geometries of the model:
// 3×3 stride 1 pad 1, and 2×2 stride 2 (the transposed convolution's adjoint pair).
// One image at a time: x is [C, H, W]; a column matrix is [C·k², columns], row index c·k² + u·k + v.
// The 3×3 pair works on a band of output rows, so a column block can stay in cache between the
// im2col and the GEMM that reads it (a whole 224² image at 32 channels is 58 MB of columns).

public enum Im2Col {
    /// Calls body(column row for patch (c, u, v) at output row i, input row i+u−1 of channel c, v) for
    /// every in-range input row; out-of-range rows are passed to `padding` (column row only).
    @inline(__always)
    private static func forEachShiftedRow(
        channels c: Int, height h: Int, width w: Int, rows: Range<Int>,
        _ body: (Int, Int, Int) -> Void, padding: (Int) -> Void
    ) {
        let hw = h * w
        let columns = rows.count * w
        for ch in 0..<c {
            for u in 0..<3 {
                for v in 0..<3 {
                    let row = (ch * 9 + u * 3 + v) * columns
                    for i in rows {
                        let column = row + (i - rows.lowerBound) * w
                        let si = i + u - 1
                        if si < 0 || si >= h { padding(column) } else { body(column, ch * hw + si * w, v) }
                    }
                }
            }
        }
    }

    /// col[C·9, R·W] ← the 3×3 zero-padded neighbourhoods of output rows `rows` (R of them) of
    /// x[C, H, W] (overwrites col).
    public static func patches3x3(
        _ x: UnsafePointer<Float>, channels c: Int, height h: Int, width w: Int,
        rows: Range<Int>, into col: UnsafeMutablePointer<Float>
    ) {
        forEachShiftedRow(
            channels: c, height: h, width: w, rows: rows,
            { column, source, v in
                let dst = col + column
                let src = x + source
                // Shifting a row by v−1 leaves one zero column at the edge it leaves.
                switch v {
                case 0:
                    dst[0] = 0
                    (dst + 1).update(from: src, count: w - 1)
                case 1:
                    dst.update(from: src, count: w)
                default:
                    dst.update(from: src + 1, count: w - 1)
                    dst[w - 1] = 0
                }
            }, padding: { column in (col + column).update(repeating: 0, count: w) })
    }

    /// dx[C, H, W] += the adjoint of `patches3x3` for output rows `rows`, applied to dcol[C·9, R·W]
    /// (accumulates).
    public static func accumulate3x3(
        _ dcol: UnsafePointer<Float>, channels c: Int, height h: Int, width w: Int,
        rows: Range<Int>, into dx: UnsafeMutablePointer<Float>
    ) {
        forEachShiftedRow(
            channels: c, height: h, width: w, rows: rows,
            { column, target, v in
                let src = dcol + column
                let dst = dx + target
                switch v {
                case 0:
                    for j in 1..<w { dst[j - 1] += src[j] }
                case 1:
                    for j in 0..<w { dst[j] += src[j] }
                default:
                    for j in 0..<(w - 1) { dst[j + 1] += src[j] }
                }
            }, padding: { _ in })
    }

    /// col[C·4, h·w] ← the non-overlapping 2×2 blocks of y[C, 2h, 2w] (overwrites col).
    public static func patches2x2Stride2(
        _ y: UnsafePointer<Float>, channels c: Int, height h: Int, width w: Int,
        into col: UnsafeMutablePointer<Float>
    ) {
        let hw = h * w
        let wide = 2 * w
        for ch in 0..<c {
            let plane = y + ch * 4 * hw
            let r00 = col + (ch * 4) * hw
            let r01 = r00 + hw
            let r10 = r01 + hw
            let r11 = r10 + hw
            for i in 0..<h {
                let top = plane + 2 * i * wide
                let bottom = top + wide
                for j in 0..<w {
                    let o = i * w + j
                    r00[o] = top[2 * j]
                    r01[o] = top[2 * j + 1]
                    r10[o] = bottom[2 * j]
                    r11[o] = bottom[2 * j + 1]
                }
            }
        }
    }

    /// y[C, 2h, 2w] ← col[C·4, h·w] laid back into 2×2 blocks, plus bias[C] (overwrites y; blocks do
    /// not overlap, so this is also the adjoint of `patches2x2Stride2`).
    public static func scatter2x2Stride2(
        _ col: UnsafePointer<Float>, channels c: Int, height h: Int, width w: Int,
        bias: UnsafePointer<Float>?, into y: UnsafeMutablePointer<Float>
    ) {
        let hw = h * w
        let wide = 2 * w
        for ch in 0..<c {
            let b = bias?[ch] ?? 0
            let plane = y + ch * 4 * hw
            let r00 = col + (ch * 4) * hw
            let r01 = r00 + hw
            let r10 = r01 + hw
            let r11 = r10 + hw
            for i in 0..<h {
                let top = plane + 2 * i * wide
                let bottom = top + wide
                for j in 0..<w {
                    let o = i * w + j
                    top[2 * j] = r00[o] + b
                    top[2 * j + 1] = r01[o] + b
                    bottom[2 * j] = r10[o] + b
                    bottom[2 * j + 1] = r11[o] + b
                }
            }
        }
    }
}
