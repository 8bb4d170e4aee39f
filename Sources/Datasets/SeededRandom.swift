// The module's only random source: xoshiro256** seeded through SplitMix64 (its recommended seeding;
// Kernels' generator, the package's one copy), so streams are the same on every machine and Swift
// version (the standard library's generators and helpers are not).
import Foundation
import Kernels

/// A deterministic generator for one stream, keyed by a seed and a path of stream numbers such as
/// (purpose, image index) or (purpose, epoch). Streams with different keys are independent, so
/// any image or epoch can be produced alone, in any order, on any rank. Codable, so a checkpoint
/// can store a stream mid-way.
public struct SeededRandom: RandomNumberGenerator, Hashable, Codable, Sendable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    public init(seed: UInt64, stream: [UInt64] = []) {
        // Fold the key with SplitMix64 steps so nearby seeds and indices give unrelated states.
        var key = SplitMix64(seed: seed)
        var mixed = key.next()
        for part in stream {
            key = SplitMix64(seed: mixed ^ (part &* 0x9E37_79B9_7F4A_7C15))
            mixed = key.next()
        }
        var fill = SplitMix64(seed: mixed)
        s0 = fill.next()
        s1 = fill.next()
        s2 = fill.next()
        s3 = fill.next()
    }

    public mutating func next() -> UInt64 {
        let result = rotate(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotate(s3, 45)
        return result
    }

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// Uniform in [low, high); `low` when the range is empty.
    public mutating func uniform(_ low: Double, _ high: Double) -> Double { low + (high - low) * unit() }

    /// Uniform integer in 0..<bound by rejection, so no value is favoured (bound > 0).
    public mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")
        let n = UInt64(bound)
        let limit = UInt64.max - UInt64.max % n
        while true {
            let x = next()
            if x < limit { return Int(x % n) }
        }
    }

    /// Uniform integer in a closed range.
    public mutating func integer(in range: ClosedRange<Int>) -> Int { range.lowerBound + below(range.count) }

    /// A standard normal value (Box–Muller; the second value is dropped to keep the state simple).
    public mutating func normal() -> Double {
        let u = 1 - unit()  // (0, 1]: log stays finite
        return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * unit())
    }

    /// Fisher–Yates permutation of 0..<count.
    public mutating func permutation(_ count: Int) -> [Int] {
        var order = Array(0..<count)
        if count > 1 {
            for i in stride(from: count - 1, to: 0, by: -1) { order.swapAt(i, below(i + 1)) }
        }
        return order
    }

    private func rotate(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
}

/// Stream numbers, one per use of randomness, so no two uses share a stream.
enum RandomStream: UInt64 {
    case image = 1
    case labels = 2
    case split = 3
    case shuffle = 4
}
