// Elementwise ops between tensors: the additive skip (sum) and the channel-broadcast product h·E.
// Letters: N batch, C channels, S = H·W pixels per plane.

public enum Elementwise {
    /// y = a + b over `count` values (overwrites y; y may alias a or b).
    public static func addForward(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int,
        output y: UnsafeMutablePointer<Float>
    ) {
        for j in 0..<count { y[j] = a[j] + b[j] }
    }

    /// d += dy: the gradient of either operand of a sum, or of a copy (accumulates).
    public static func accumulate(_ dy: UnsafePointer<Float>, count: Int, into d: UnsafeMutablePointer<Float>) {
        for j in 0..<count { d[j] += dy[j] }
    }

    /// y[N, C, S] = h[N, C, S]·e[N, 1, S] (overwrites y).
    public static func channelMultiplyForward(
        features h: UnsafePointer<Float>, scale e: UnsafePointer<Float>,
        batch n: Int, channels c: Int, size s: Int,
        output y: UnsafeMutablePointer<Float>
    ) {
        for image in 0..<n {
            let ei = e + image * s
            for ch in 0..<c {
                let offset = (image * c + ch) * s
                for j in 0..<s { y[offset + j] = h[offset + j] * ei[j] }
            }
        }
    }

    /// dh += dy·e and de[n, s] += Σ_c dy·h (accumulates; nil skips a gradient).
    public static func channelMultiplyBackward(
        features h: UnsafePointer<Float>, scale e: UnsafePointer<Float>,
        dOutput dy: UnsafePointer<Float>, batch n: Int, channels c: Int,
        size s: Int, dFeatures dh: UnsafeMutablePointer<Float>?,
        dScale de: UnsafeMutablePointer<Float>?
    ) {
        for image in 0..<n {
            let ei = e + image * s
            for ch in 0..<c {
                let offset = (image * c + ch) * s
                if let dh {
                    for j in 0..<s { dh[offset + j] += dy[offset + j] * ei[j] }
                }
                if let de {
                    let dei = de + image * s
                    for j in 0..<s { dei[j] += dy[offset + j] * h[offset + j] }
                }
            }
        }
    }
}
