// Dropout: seeded, inverted, and its backward uses the forward's mask.
import Kernels
import Testing

@Suite struct DropoutTests {
    @Test func dropoutIsSeededInvertedAndItsBackwardUsesTheSameMask() {
        let count = 4000
        let s = Scratch()
        let x = randomValues(count, seed: 61)
        let px = s.make(x)
        let mask = s.zeros(count)
        let y = s.zeros(count)
        let again = s.zeros(count)
        let mask2 = s.zeros(count)
        Dropout.forward(input: px, count: count, rate: 0.3, seed: 9, mask: mask, output: y)
        Dropout.forward(input: px, count: count, rate: 0.3, seed: 9, mask: mask2, output: again)
        #expect(read(y, count) == read(again, count), "same seed, same mask")
        let kept = read(mask, count).filter { $0 != 0 }
        #expect(kept.allSatisfy { abs($0 - 1 / 0.7) < 1e-6 }, "kept values scaled by 1/(1 − rate)")
        // 4000 Bernoulli(0.7) draws: standard deviation of the kept share is 0.007, so ±0.03 is > 4σ.
        #expect(abs(Double(kept.count) / Double(count) - 0.7) < 0.03)
        Dropout.forward(input: px, count: count, rate: 0.3, seed: 10, mask: mask2, output: again)
        #expect(read(mask, count) != read(mask2, count), "another seed, another mask")
        let r = randomValues(count, seed: 62)
        let dx = s.zeros(count)
        Dropout.backward(dOutput: s.make(r), mask: mask, count: count, dInput: dx)
        #expect(read(dx, count) == zip(r, read(mask, count)).map { $0 * $1 })
    }
}
