// Pooling over planes: 2×2 stride-2 max and average, and global max. A "plane" is one [H, W] map of
// an NCHW tensor, so P = N·C planes. Max-pool gradients go to the first maximum in row-major order.

public enum Pooling {
    /// y[P, H/2, W/2] = max of each 2×2 block of x[P, H, W] (overwrites y).
    public static func maxForward(input x: UnsafePointer<Float>, planes p: Int, height h: Int, width w: Int,
                                  output y: UnsafeMutablePointer<Float>) {
        let oh = h / 2, ow = w / 2
        for plane in 0..<p {
            let xp = x + plane * h * w, yp = y + plane * oh * ow
            for i in 0..<oh {
                let top = xp + 2 * i * w, bottom = top + w
                for j in 0..<ow {
                    var m = top[2 * j]
                    if top[2 * j + 1] > m { m = top[2 * j + 1] }
                    if bottom[2 * j] > m { m = bottom[2 * j] }
                    if bottom[2 * j + 1] > m { m = bottom[2 * j + 1] }
                    yp[i * ow + j] = m
                }
            }
        }
    }

    /// dx[P, H, W] += dy routed to each block's first maximum (accumulates); x is the forward input.
    public static func maxBackward(input x: UnsafePointer<Float>, dOutput dy: UnsafePointer<Float>,
                                   planes p: Int, height h: Int, width w: Int, dInput dx: UnsafeMutablePointer<Float>) {
        let oh = h / 2, ow = w / 2
        for plane in 0..<p {
            let xp = x + plane * h * w, dxp = dx + plane * h * w, dyp = dy + plane * oh * ow
            for i in 0..<oh {
                let top = 2 * i * w, bottom = top + w
                for j in 0..<ow {
                    // Strict ">" in row-major order keeps the first maximum on ties.
                    var at = top + 2 * j
                    var m = xp[at]
                    if xp[top + 2 * j + 1] > m { at = top + 2 * j + 1; m = xp[at] }
                    if xp[bottom + 2 * j] > m { at = bottom + 2 * j; m = xp[at] }
                    if xp[bottom + 2 * j + 1] > m { at = bottom + 2 * j + 1 }
                    dxp[at] += dyp[i * ow + j]
                }
            }
        }
    }

    /// y[P, H/2, W/2] = mean of each 2×2 block of x[P, H, W] (overwrites y).
    public static func averageForward(input x: UnsafePointer<Float>, planes p: Int, height h: Int, width w: Int,
                                      output y: UnsafeMutablePointer<Float>) {
        let oh = h / 2, ow = w / 2
        for plane in 0..<p {
            let xp = x + plane * h * w, yp = y + plane * oh * ow
            for i in 0..<oh {
                let top = xp + 2 * i * w, bottom = top + w
                for j in 0..<ow {
                    yp[i * ow + j] = ((top[2 * j] + top[2 * j + 1]) + (bottom[2 * j] + bottom[2 * j + 1])) * 0.25
                }
            }
        }
    }

    /// dx[P, H, W] += dy/4 spread over each block (accumulates).
    public static func averageBackward(dOutput dy: UnsafePointer<Float>, planes p: Int, height h: Int, width w: Int,
                                       dInput dx: UnsafeMutablePointer<Float>) {
        let oh = h / 2, ow = w / 2
        for plane in 0..<p {
            let dxp = dx + plane * h * w, dyp = dy + plane * oh * ow
            for i in 0..<oh {
                let top = dxp + 2 * i * w, bottom = top + w
                for j in 0..<ow {
                    let g = dyp[i * ow + j] * 0.25
                    top[2 * j] += g; top[2 * j + 1] += g
                    bottom[2 * j] += g; bottom[2 * j + 1] += g
                }
            }
        }
    }

    /// y[P] = max over each plane of x[P, H·W] (overwrites y).
    public static func globalMaxForward(input x: UnsafePointer<Float>, planes p: Int, size hw: Int,
                                        output y: UnsafeMutablePointer<Float>) {
        for plane in 0..<p {
            let xp = x + plane * hw
            var m = xp[0]
            for j in 1..<hw where xp[j] > m { m = xp[j] }
            y[plane] = m
        }
    }

    /// dx[P, H·W] += dy[P] at each plane's first maximum (accumulates).
    public static func globalMaxBackward(input x: UnsafePointer<Float>, dOutput dy: UnsafePointer<Float>,
                                         planes p: Int, size hw: Int, dInput dx: UnsafeMutablePointer<Float>) {
        for plane in 0..<p {
            let xp = x + plane * hw
            var at = 0
            for j in 1..<hw where xp[j] > xp[at] { at = j }
            dx[plane * hw + at] += dy[plane]
        }
    }
}
