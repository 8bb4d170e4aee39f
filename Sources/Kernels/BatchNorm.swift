// Batch normalisation per channel over (N, H, W), NCHW, as PyTorch computes it: normalise with the
// biased batch variance, update running variance with the unbiased one. Letters: N, C, and S = H·W.
// Sums run in Double: at 224² a channel holds 400k values, too many for a float32 running sum.

public enum BatchNorm {
    /// Keras' default ε (PyTorch's is 1e-5); every function takes its own ε, this is the default.
    public static let epsilon: Double = 1e-3

    /// y = γ·(x − mean)/sqrt(var + ε) + β with batch statistics; writes mean[C] and biased var[C]
    /// (overwrites y, mean, variance).
    public static func forwardTraining(
        input x: UnsafePointer<Float>, batch n: Int, channels c: Int, size s: Int,
        gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>, output y: UnsafeMutablePointer<Float>,
        mean: UnsafeMutablePointer<Float>, variance: UnsafeMutablePointer<Float>, epsilon: Double = epsilon
    ) {
        let count = Double(n * s)
        for ch in 0..<c {
            var sum = 0.0
            for image in 0..<n {
                let row = x + (image * c + ch) * s
                for j in 0..<s { sum += Double(row[j]) }
            }
            let mu = sum / count
            var squares = 0.0
            for image in 0..<n {
                let row = x + (image * c + ch) * s
                for j in 0..<s {
                    let d = Double(row[j]) - mu
                    squares += d * d
                }
            }
            mean[ch] = Float(mu)
            variance[ch] = Float(squares / count)
            normalise(
                x, y, batch: n, channels: c, size: s, channel: ch, mean: mu, variance: squares / count,
                gamma: Double(gamma[ch]), beta: Double(beta[ch]), epsilon: epsilon)
        }
    }

    /// y = γ·(x − running mean)/sqrt(running var + ε) + β (inference; overwrites y).
    public static func forwardInference(
        input x: UnsafePointer<Float>, batch n: Int, channels c: Int, size s: Int,
        gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
        runningMean: UnsafePointer<Float>, runningVariance: UnsafePointer<Float>, output y: UnsafeMutablePointer<Float>,
        epsilon: Double = epsilon
    ) {
        for ch in 0..<c {
            normalise(
                x, y, batch: n, channels: c, size: s, channel: ch, mean: Double(runningMean[ch]),
                variance: Double(runningVariance[ch]), gamma: Double(gamma[ch]), beta: Double(beta[ch]),
                epsilon: epsilon)
        }
    }

    private static func normalise(
        _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, batch n: Int,
        channels c: Int, size s: Int, channel ch: Int, mean: Double, variance: Double,
        gamma: Double, beta: Double, epsilon: Double
    ) {
        let scale = gamma / (variance + epsilon).squareRoot()
        let shift = beta - mean * scale
        let a = Float(scale)
        let b = Float(shift)
        for image in 0..<n {
            let offset = (image * c + ch) * s
            let xr = x + offset
            let yr = y + offset
            for j in 0..<s { yr[j] = xr[j] * a + b }
        }
    }

    /// running ← (1 − momentum)·running + momentum·batch statistic, the variance made unbiased with
    /// count/(count − 1), count = N·S values per channel (PyTorch's rule). `momentum` is the new
    /// statistic's weight (PyTorch's convention; Keras' momentum m is 1 − m here; the model's default m
    /// lives in ModelConfiguration).
    public static func updateRunning(
        runningMean: UnsafeMutablePointer<Float>, runningVariance: UnsafeMutablePointer<Float>,
        mean: UnsafePointer<Float>, variance: UnsafePointer<Float>, channels c: Int, count: Int, momentum: Double
    ) {
        let unbias = count > 1 ? Double(count) / Double(count - 1) : 1
        for ch in 0..<c {
            runningMean[ch] = Float((1 - momentum) * Double(runningMean[ch]) + momentum * Double(mean[ch]))
            runningVariance[ch] = Float(
                (1 - momentum) * Double(runningVariance[ch])
                    + momentum * Double(variance[ch]) * unbias)
        }
    }

    /// With x̂ = (x − mean)/σ: dγ += Σ dy·x̂, dβ += Σ dy, dx += (γ/σ)(dy − mean(dy) − x̂·mean(dy·x̂))
    /// (accumulates; nil skips dγ, dβ). mean and variance are the forward's batch statistics.
    public static func backward(
        input x: UnsafePointer<Float>, dOutput dy: UnsafePointer<Float>, batch n: Int, channels c: Int, size s: Int,
        gamma: UnsafePointer<Float>, mean: UnsafePointer<Float>, variance: UnsafePointer<Float>,
        dInput dx: UnsafeMutablePointer<Float>, dGamma: UnsafeMutablePointer<Float>?,
        dBeta: UnsafeMutablePointer<Float>?,
        epsilon: Double = epsilon
    ) {
        let count = Double(n * s)
        for ch in 0..<c {
            let mu = Double(mean[ch])
            let invSigma = 1 / (Double(variance[ch]) + epsilon).squareRoot()
            var sumDy = 0.0
            var sumDyXhat = 0.0
            for image in 0..<n {
                let offset = (image * c + ch) * s
                for j in 0..<s {
                    let g = Double(dy[offset + j])
                    sumDy += g
                    sumDyXhat += g * (Double(x[offset + j]) - mu) * invSigma
                }
            }
            dGamma?[ch] += Float(sumDyXhat)
            dBeta?[ch] += Float(sumDy)
            let scale = Double(gamma[ch]) * invSigma
            let meanDy = sumDy / count
            let meanDyXhat = sumDyXhat / count
            for image in 0..<n {
                let offset = (image * c + ch) * s
                for j in 0..<s {
                    let xhat = (Double(x[offset + j]) - mu) * invSigma
                    dx[offset + j] += Float(scale * (Double(dy[offset + j]) - meanDy - xhat * meanDyXhat))
                }
            }
        }
    }
}
