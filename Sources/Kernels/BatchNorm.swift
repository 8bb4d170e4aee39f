// Batch normalisation per channel over (N, H, W), NCHW, as PyTorch computes it: normalise with the
// biased batch variance, update running variance with the unbiased one. Letters: N, C, and S = H·W.
// Sums: float32 SIMD lanes over blocks of fewer than 2·`block` values, each block's total added into a
// Double (at 224² a channel holds 400k values, too many for one float32 running sum).

public enum BatchNorm {
    /// Keras' default ε (PyTorch's is 1e-5); every function takes its own ε, this is the default.
    public static let epsilon: Double = 1e-3

    /// Values summed in float32 before their total moves to Double: at most 32 additions per lane (two
    /// 16-lane accumulators, under 2·block values), so a block's rounding stays near 1e-7 of its total.
    static let block = 512

    /// y = γ·(x − mean)/sqrt(var + ε) + β with batch statistics; writes mean[C] and biased var[C]
    /// (overwrites y, mean, variance).
    public static func forwardTraining(
        input x: UnsafePointer<Float>, batch n: Int, channels c: Int, size s: Int,
        gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>, output y: UnsafeMutablePointer<Float>,
        mean: UnsafeMutablePointer<Float>, variance: UnsafeMutablePointer<Float>, epsilon: Double = epsilon
    ) {
        for ch in 0..<c {
            let (mu, sigma2) = statistics(x, batch: n, channels: c, size: s, channel: ch)
            mean[ch] = Float(mu)
            variance[ch] = Float(sigma2)
            normalise(
                x, y, batch: n, channels: c, size: s, channel: ch, mean: mu, variance: sigma2,
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

    /// (mean, biased variance) of one channel in one pass: Σ(x − K) and Σ(x − K)² around K, the mean of
    /// a sample. Var = Σd²/M − (Σd/M)² loses to cancellation only when K is far from the mean
    /// (more than a standard deviation); then a second pass centres on the mean found.
    static func statistics(
        _ x: UnsafePointer<Float>, batch n: Int, channels c: Int, size s: Int, channel ch: Int
    ) -> (mean: Double, variance: Double) {
        let count = Double(n * s)
        // K only needs to lie within a standard deviation or so of the mean: the float32 mean of four
        // evenly spaced runs of 16 values per plane (of whole planes under 64 values) will do.
        var runs = SIMD16<Float>()
        var rest: Float = 0
        for image in 0..<n {
            let plane = x + (image * c + ch) * s
            if s >= 64 {
                for r in 0..<4 { runs += load16(plane + r * (s - 16) / 3) }
            } else {
                for j in 0..<s { rest += plane[j] }
            }
        }
        let k = (runs.sum() + rest) / Float(n * min(s, 64))
        let (s1, s2) = sums(Centred(x: x, centre: k), batch: n, channels: c, size: s, channel: ch)
        let shift = s1 / count
        let squares = s2 / count
        // Relative rounding of the variance ≈ ε·squares/variance: at most 2ε when shift² ≤ squares/2.
        guard shift * shift <= squares / 2 else {
            return centredStatistics(x, batch: n, channels: c, size: s, channel: ch, around: Double(k) + shift)
        }
        return (Double(k) + shift, squares - shift * shift)
    }

    /// (mean, biased variance) from Σ(x − m) and Σ(x − m)² with m = Float(approximate mean): the first
    /// sum corrects for m's rounding, so the result is exact to the sums' rounding.
    static func centredStatistics(
        _ x: UnsafePointer<Float>, batch n: Int, channels c: Int, size s: Int, channel ch: Int, around mu: Double
    ) -> (mean: Double, variance: Double) {
        let count = Double(n * s)
        let m = Float(mu)
        let (s1, s2) = sums(Centred(x: x, centre: m), batch: n, channels: c, size: s, channel: ch)
        let shift = s1 / count
        let variance = s2 / count - shift * shift
        // Not max(0, ·): a NaN must reach the statistics.
        return (Double(m) + shift, variance < 0 ? 0 : variance)
    }

    /// y = (x − m)·a + b' with m the mean rounded to float32 and b' = β − (mean − m)·a: centring before
    /// the scale keeps a channel that sits far from zero (|mean| ≫ σ) at float32 precision.
    private static func normalise(
        _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, batch n: Int,
        channels c: Int, size s: Int, channel ch: Int, mean: Double, variance: Double,
        gamma: Double, beta: Double, epsilon: Double
    ) {
        let scale = gamma / (variance + epsilon).squareRoot()
        let m = Float(mean)
        let a = Float(scale)
        let b = Float(beta - (mean - Double(m)) * scale)
        let mv = SIMD16<Float>(repeating: m)
        let bv = SIMD16<Float>(repeating: b)
        let wide = s & ~15
        for image in 0..<n {
            let offset = (image * c + ch) * s
            let xr = x + offset
            let yr = y + offset
            for j in stride(from: 0, to: wide, by: 16) { store16(yr + j, bv.addingProduct(load16(xr + j) - mv, a)) }
            for j in wide..<s { yr[j] = b.addingProduct(xr[j] - m, a) }
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
        let wide = s & ~15
        for ch in 0..<c {
            let m = mean[ch]
            let mv = SIMD16<Float>(repeating: m)
            let invSigma = 1 / (Double(variance[ch]) + epsilon).squareRoot()
            // Σ dy·(x − mean), scaled by 1/σ once afterwards.
            let (sumDy, sumDyCentred) = sums(
                GradientTerms(x: x, dy: dy, centre: m), batch: n, channels: c, size: s, channel: ch)
            let sumDyXhat = sumDyCentred * invSigma
            dGamma?[ch] += Float(sumDyXhat)
            dBeta?[ch] += Float(sumDy)
            // dx += a·dy + b·(x − mean) + e: the three terms of the formula above with scalars folded.
            let scale = Double(gamma[ch]) * invSigma
            let a = Float(scale)
            let b = Float(-scale * invSigma * sumDyXhat / count)
            let e = Float(-scale * sumDy / count)
            let ev = SIMD16<Float>(repeating: e)
            for image in 0..<n {
                let offset = (image * c + ch) * s
                let xr = x + offset
                let gr = dy + offset
                let dr = dx + offset
                for j in stride(from: 0, to: wide, by: 16) {
                    let t = ev.addingProduct(load16(xr + j) - mv, b).addingProduct(load16(gr + j), a)
                    store16(dr + j, load16(dr + j) + t)
                }
                for j in wide..<s { dr[j] += e.addingProduct(xr[j] - m, b).addingProduct(gr[j], a) }
            }
        }
    }

    /// (Σ first, Σ second) of the terms over the channel's N planes. The float32 lanes move to Double once they hold `block` values or more (< 2·block), across planes,
    /// so that small planes (8² at 64²) do not pay a horizontal sum each.
    private static func sums<Terms: PairTerms>(
        _ terms: Terms, batch n: Int, channels c: Int, size s: Int, channel ch: Int
    ) -> (Double, Double) {
        var first = 0.0
        var second = 0.0
        // Two accumulators per sum hide the add latency.
        var a0 = SIMD16<Float>()
        var a1 = SIMD16<Float>()
        var b0 = SIMD16<Float>()
        var b1 = SIMD16<Float>()
        var tail: (Float, Float) = (0, 0)
        var pending = 0
        for image in 0..<n {
            let plane = (image &* c &+ ch) &* s
            var j = 0
            while j < s {
                let end = min(j &+ block, s)
                pending &+= end &- j
                while j &+ 32 <= end {
                    let (p, q) = terms.vector(plane &+ j)
                    let (u, v) = terms.vector(plane &+ j &+ 16)
                    a0 += p
                    b0 += q
                    a1 += u
                    b1 += v
                    j &+= 32
                }
                if j &+ 16 <= end {
                    let (p, q) = terms.vector(plane &+ j)
                    a0 += p
                    b0 += q
                    j &+= 16
                }
                while j < end {
                    let (p, q) = terms.scalar(plane &+ j)
                    tail.0 += p
                    tail.1 += q
                    j &+= 1
                }
                if pending >= block || (image == n &- 1 && j == s) {
                    first += Double((a0 + a1).sum()) + Double(tail.0)
                    second += Double((b0 + b1).sum()) + Double(tail.1)
                    a0 = SIMD16()
                    a1 = SIMD16()
                    b0 = SIMD16()
                    b1 = SIMD16()
                    tail = (0, 0)
                    pending = 0
                }
            }
        }
        return (first, second)
    }
}

/// The two values per element that `BatchNorm.sums` adds up, i the element's index in the tensor:
/// `vector` gives those of elements i..<i+16, `scalar` those of element i (a plane's tail). A protocol
/// rather than closures so that each sum loop is specialised with its terms inlined (closures were
/// called per vector, their results spilled).
private protocol PairTerms {
    func vector(_ i: Int) -> (SIMD16<Float>, SIMD16<Float>)
    func scalar(_ i: Int) -> (Float, Float)
}

/// x − m and (x − m)².
private struct Centred: PairTerms {
    let x: UnsafePointer<Float>
    let centre: Float

    @inline(__always) func vector(_ i: Int) -> (SIMD16<Float>, SIMD16<Float>) {
        let d = load16(x + i) - SIMD16(repeating: centre)
        return (d, d * d)
    }

    @inline(__always) func scalar(_ i: Int) -> (Float, Float) {
        let d = x[i] - centre
        return (d, d * d)
    }
}

/// dy and dy·(x − mean).
private struct GradientTerms: PairTerms {
    let x: UnsafePointer<Float>
    let dy: UnsafePointer<Float>
    let centre: Float

    @inline(__always) func vector(_ i: Int) -> (SIMD16<Float>, SIMD16<Float>) {
        let g = load16(dy + i)
        return (g, g * (load16(x + i) - SIMD16(repeating: centre)))
    }

    @inline(__always) func scalar(_ i: Int) -> (Float, Float) { (dy[i], dy[i] * (x[i] - centre)) }
}
