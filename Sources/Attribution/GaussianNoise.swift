// SmoothGrad's noise, drawn the same way whichever rank runs a sample.
import Foundation
import Kernels

/// Standard normal values for SmoothGrad, reproducible per (seed, image, sample) whichever rank draws them:
/// Box–Muller on SplitMix64 seeded from the three.
struct GaussianNoise {
    let seed: UInt64
    let count: Int

    func sample(image: Int, sample: Int) -> [Float] {
        var generator = SplitMix64(seed: seed &+ 0x9E37_79B9_7F4A_7C15 &* UInt64(image &* 1_000_003 &+ sample &+ 1))
        var values = [Float](repeating: 0, count: count)
        var j = 0
        while j < count {
            // u1 in (0, 1] so the logarithm is finite.
            let u1 = (Double(generator.next() >> 11) + 1) / 9_007_199_254_740_992.0
            let u2 = Double(generator.next() >> 11) / 9_007_199_254_740_992.0
            let radius = (-2 * log(u1)).squareRoot()
            values[j] = Float(radius * cos(2 * Double.pi * u2))
            if j + 1 < count { values[j + 1] = Float(radius * sin(2 * Double.pi * u2)) }
            j += 2
        }
        return values
    }
}
