// The backward of batch norm in inference mode (frozen statistics): a fixed affine map per channel,
// y = γ·(x − μ)/sqrt(σ² + ε) + β with μ, σ² constants. Letters: N, C, and S = H·W.

extension BatchNorm {
    /// With x̂ = (x − μ)/σ: dγ += Σ dy·x̂, dβ += Σ dy, dx += (γ/σ)·dy (accumulates; nil skips dγ, dβ).
    /// runningMean/runningVariance are the statistics the forward used.
    public static func backwardInference(
        input x: UnsafePointer<Float>, dOutput dy: UnsafePointer<Float>, batch n: Int, channels c: Int, size s: Int,
        gamma: UnsafePointer<Float>, runningMean: UnsafePointer<Float>, runningVariance: UnsafePointer<Float>,
        dInput dx: UnsafeMutablePointer<Float>, dGamma: UnsafeMutablePointer<Float>?,
        dBeta: UnsafeMutablePointer<Float>?, epsilon: Double = epsilon
    ) {
        for ch in 0..<c {
            let invSigma = 1 / (Double(runningVariance[ch]) + epsilon).squareRoot()
            let mean = Float(runningMean[ch])
            let scale = Float(Double(gamma[ch]) * invSigma)
            var sumDy = 0.0
            var sumDyCentred = 0.0
            for image in 0..<n {
                let offset = (image * c + ch) * s
                for j in 0..<s {
                    let g = Double(dy[offset + j])
                    sumDy += g
                    sumDyCentred += g * Double(x[offset + j] - mean)
                }
                // A separate loop, so the compiler vectorises it (the sums above keep their order).
                for j in 0..<s { dx[offset + j] += scale * dy[offset + j] }
            }
            dGamma?[ch] += Float(sumDyCentred * invSigma)
            dBeta?[ch] += Float(sumDy)
        }
    }
}
