// The regularisers on the explanation map E[N, 1, H, W]: L1 (Keras activity-regulariser sum), total
// variation, and the weakly supervised box term. Each backward adds weight·d(term)/dE into dE.
// d|u|/du is sign(u) with sign(0) = 0 throughout, matching the reference.

public enum ExplanationPenalty {
    @inline(__always) static func sign(_ u: Float) -> Float { u > 0 ? 1 : (u < 0 ? -1 : 0) }

    /// Σ |E| over every image and pixel (a sum, not a mean).
    public static func l1(_ e: UnsafePointer<Float>, count: Int) -> Double {
        var s = 0.0
        for j in 0..<count { s += Double(abs(e[j])) }
        return s
    }

    public static func l1Backward(_ e: UnsafePointer<Float>, count: Int, weight: Float, dE: UnsafeMutablePointer<Float>)
    {
        for j in 0..<count { dE[j] += weight * sign(e[j]) }
    }

    /// Mean over images of (mean_{i<H−1, j}|E[i+1, j] − E[i, j]| + mean_{i, j<W−1}|E[i, j+1] − E[i, j]|).
    public static func totalVariation(_ e: UnsafePointer<Float>, batch n: Int, height h: Int, width w: Int) -> Double {
        var total = 0.0
        for image in 0..<n {
            let p = e + image * h * w
            var vertical = 0.0
            var horizontal = 0.0
            for i in 0..<h {
                for j in 0..<w {
                    if i + 1 < h { vertical += Double(abs(p[(i + 1) * w + j] - p[i * w + j])) }
                    if j + 1 < w { horizontal += Double(abs(p[i * w + j + 1] - p[i * w + j])) }
                }
            }
            total += vertical / Double((h - 1) * w) + horizontal / Double(h * (w - 1))
        }
        return total / Double(n)
    }

    public static func totalVariationBackward(
        _ e: UnsafePointer<Float>, batch n: Int, height h: Int, width w: Int,
        weight: Float, dE: UnsafeMutablePointer<Float>
    ) {
        let sv = weight / Float(n * (h - 1) * w)
        let sh = weight / Float(n * h * (w - 1))
        for image in 0..<n {
            let p = e + image * h * w
            let d = dE + image * h * w
            for i in 0..<h {
                for j in 0..<w {
                    if i + 1 < h {
                        let g = sv * sign(p[(i + 1) * w + j] - p[i * w + j])
                        d[(i + 1) * w + j] += g
                        d[i * w + j] -= g
                    }
                    if j + 1 < w {
                        let g = sh * sign(p[i * w + j + 1] - p[i * w + j])
                        d[i * w + j + 1] += g
                        d[i * w + j] -= g
                    }
                }
            }
        }
    }

    /// Mean over images of |Σ(1 − z)·E / (Σ(1 − z) + 1e-6)|, z[N, 1, H, W] the box mask (1 inside).
    public static func box(_ e: UnsafePointer<Float>, mask z: UnsafePointer<Float>, batch n: Int, size s: Int) -> Double
    {
        var total = 0.0
        for image in 0..<n { total += abs(outsideShare(e, z, image: image, size: s).share) }
        return total / Double(n)
    }

    public static func boxBackward(
        _ e: UnsafePointer<Float>, mask z: UnsafePointer<Float>, batch n: Int, size s: Int,
        weight: Float, dE: UnsafeMutablePointer<Float>
    ) {
        for image in 0..<n {
            let (q, denominator) = outsideShare(e, z, image: image, size: s)
            let g = Double(weight) / Double(n) * Double(sign(Float(q))) / denominator
            for j in 0..<s { dE[image * s + j] += Float(g * (1 - Double(z[image * s + j]))) }
        }
    }

    /// One image's Σ(1 − z)·E / (Σ(1 − z) + 1e-6), and that denominator.
    private static func outsideShare(
        _ e: UnsafePointer<Float>, _ z: UnsafePointer<Float>, image: Int,
        size s: Int
    ) -> (share: Double, denominator: Double) {
        var inside = 0.0
        var outside = 0.0
        for j in 0..<s {
            let o = 1 - Double(z[image * s + j])
            outside += o
            inside += o * Double(e[image * s + j])
        }
        return (inside / (outside + 1e-6), outside + 1e-6)
    }
}
