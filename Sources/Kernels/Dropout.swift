// Inverted dropout: kept values are scaled by 1/(1 − rate) in training so inference is the identity.
// The mask is drawn from a UInt64 seed, so a step is reproducible from (parameters, batch, seed).

public enum Dropout {
    /// mask[j] = 0 with probability `rate`, else 1/(1 − rate); y = x·mask (overwrites mask and y).
    public static func forward(
        input x: UnsafePointer<Float>, count: Int, rate: Float, seed: UInt64,
        mask: UnsafeMutablePointer<Float>, output y: UnsafeMutablePointer<Float>
    ) {
        precondition(rate >= 0 && rate < 1, "dropout rate must be in [0, 1), got \(rate)")
        var generator = SplitMix64(seed: seed)
        let keep = 1 / (1 - rate)
        for j in 0..<count {
            mask[j] = generator.nextUnitFloat() < rate ? 0 : keep
            y[j] = x[j] * mask[j]
        }
    }

    /// dx += dy·mask (accumulates).
    public static func backward(
        dOutput dy: UnsafePointer<Float>, mask: UnsafePointer<Float>, count: Int,
        dInput dx: UnsafeMutablePointer<Float>
    ) {
        for j in 0..<count { dx[j] += dy[j] * mask[j] }
    }
}
