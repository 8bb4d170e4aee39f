// What the optimizers share: the loop over a range of the flat parameter buffer with two state arrays
// that mirror it (Adadelta, Adam), and the checks on state read back from a checkpoint.
import Kernels

enum OptimizerState {
    /// Applies `update` to every parameter in `range`, eight at a time: p, its gradient g and its two
    /// state values a, b as SIMD8 lanes; p, a and b are written back. Explicit vectors because the
    /// compiler leaves a loop over four buffers that may alias scalar (two square roots and a division
    /// per parameter cost 6 ms per step at 2 M parameters). The last group of fewer than eight is padded
    /// with zeros and only its own lanes are stored; vector arithmetic, square root and division round
    /// exactly as the scalar operations, so every parameter gets the bits a scalar loop would give.
    @inline(__always)
    static func update(
        _ owner: String, parameters: inout [Float], gradients: [Float], _ first: inout [Float], _ second: inout [Float],
        range: Range<Int>,
        _ update: (_ p: inout SIMD8<Float>, _ g: SIMD8<Float>, _ a: inout SIMD8<Float>, _ b: inout SIMD8<Float>) -> Void
    ) {
        precondition(
            parameters.count == first.count && gradients.count == first.count && second.count == first.count,
            "\(owner) state holds \(first.count) values, parameters \(parameters.count), gradients \(gradients.count)")
        parameters.withUnsafeMutableBufferPointer { p in
            gradients.withUnsafeBufferPointer { g in
                first.withUnsafeMutableBufferPointer { a in
                    second.withUnsafeMutableBufferPointer { b in
                        let pp = p.baseAddress!
                        let gp = g.baseAddress!
                        let ap = a.baseAddress!
                        let bp = b.baseAddress!
                        var i = range.lowerBound
                        while i + 8 <= range.upperBound {
                            var pv = load8(pp + i)
                            var av = load8(ap + i)
                            var bv = load8(bp + i)
                            update(&pv, load8(gp + i), &av, &bv)
                            store8(pp + i, pv)
                            store8(ap + i, av)
                            store8(bp + i, bv)
                            i += 8
                        }
                        let tail = i..<range.upperBound
                        guard !tail.isEmpty else { return }
                        var pv = SIMD8<Float>()
                        var gv = SIMD8<Float>()
                        var av = SIMD8<Float>()
                        var bv = SIMD8<Float>()
                        for (lane, j) in tail.enumerated() {
                            (pv[lane], gv[lane], av[lane], bv[lane]) = (p[j], g[j], a[j], b[j])
                        }
                        update(&pv, gv, &av, &bv)
                        for (lane, j) in tail.enumerated() { (p[j], a[j], b[j]) = (pv[lane], av[lane], bv[lane]) }
                    }
                }
            }
        }
    }

    /// Two state arrays read back from a checkpoint (Adadelta's accumulators, Adam's moments).
    static func pair(_ state: [[Float]], count: Int, owner: String) throws(TrainingError) -> ([Float], [Float]) {
        let checked = try checked(state, slots: 2, count: count, owner: owner)
        return (checked[0], checked[1])
    }

    /// Two state arrays of `count` zeros: where a new phase starts.
    static func zeroPair(count: Int) -> ([Float], [Float]) {
        ([Float](repeating: 0, count: count), [Float](repeating: 0, count: count))
    }

    /// State read back from a checkpoint: `slots` arrays of `count` values each, or an error naming `owner`.
    static func checked(_ state: [[Float]], slots: Int, count: Int, owner: String) throws(TrainingError) -> [[Float]] {
        guard state.count == slots, state.allSatisfy({ $0.count == count }) else {
            throw TrainingError(
                "\(owner).importState",
                "expected \(slots) array\(slots == 1 ? "" : "s") of \(count) values, got \(state.map(\.count))")
        }
        return state
    }
}
