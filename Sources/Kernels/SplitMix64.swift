// Seeded random numbers for initialisation and dropout, and the seeding of Datasets' streams: SplitMix64,
// so a UInt64 seed fixes every draw. The package's only copy.

public struct SplitMix64: Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1) with 24 random bits, the resolution of a Float mantissa.
    public mutating func nextUnitFloat() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }

    /// Uniform in [-limit, limit).
    public mutating func nextSymmetric(_ limit: Float) -> Float {
        (nextUnitFloat() * 2 - 1) * limit
    }
}
