// Adadelta with Keras defaults (lr 1.0, ρ 0.95, ε 1e-7) over a flat parameter buffer; its two
// accumulators mirror that buffer so they checkpoint as flat arrays.

import Kernels

public struct Adadelta: Sendable {
    public var learningRate: Float
    public var rho: Float
    public var epsilon: Float
    /// Running mean of g² (Keras accumulated_grad, PyTorch square_avg), one per parameter.
    public private(set) var squareAverage: [Float]
    /// Running mean of squared updates (Keras accumulated_delta_var, PyTorch acc_delta).
    public private(set) var deltaAverage: [Float]

    public init(parameterCount: Int, learningRate: Float = 1.0, rho: Float = 0.95, epsilon: Float = 1e-7) {
        self.learningRate = learningRate
        self.rho = rho
        self.epsilon = epsilon
        squareAverage = [Float](repeating: 0, count: parameterCount)
        deltaAverage = [Float](repeating: 0, count: parameterCount)
    }

    /// sq ← ρ·sq + (1−ρ)·g²; d ← sqrt(acc + ε)/sqrt(sq + ε)·g; acc ← ρ·acc + (1−ρ)·d²; p ← p − lr·d,
    /// for the indices in `range` only (a frozen part keeps its parameters and state).
    public mutating func update(parameters: inout [Float], gradients: [Float], range: Range<Int>) {
        precondition(parameters.count == squareAverage.count && gradients.count == squareAverage.count,
                     "Adadelta state holds \(squareAverage.count) values, parameters \(parameters.count), gradients \(gradients.count)")
        let rho = self.rho, keep = 1 - rho, eps = epsilon, lr = learningRate
        parameters.withUnsafeMutableBufferPointer { p in
            gradients.withUnsafeBufferPointer { g in
                squareAverage.withUnsafeMutableBufferPointer { sq in
                    deltaAverage.withUnsafeMutableBufferPointer { acc in
                        // 8 at a time: the compiler leaves this loop scalar (four buffers that may alias), and
                        // two square roots and a division per parameter cost 6 ms per step at 2 M parameters.
                        // Vector sqrt and division round exactly as the scalar ones, so results are unchanged.
                        let pp = p.baseAddress!, gp = g.baseAddress!, sp = sq.baseAddress!, ap = acc.baseAddress!
                        var i = range.lowerBound
                        while i + 8 <= range.upperBound {
                            let gi = load8(gp + i)
                            let s = rho * load8(sp + i) + keep * gi * gi
                            let d = (load8(ap + i) + eps).squareRoot() / (s + eps).squareRoot() * gi
                            store8(sp + i, s)
                            store8(ap + i, rho * load8(ap + i) + keep * d * d)
                            store8(pp + i, load8(pp + i) - lr * d)
                            i += 8
                        }
                        while i < range.upperBound {
                            let gi = g[i]
                            let s = rho * sq[i] + keep * gi * gi
                            let d = (acc[i] + eps).squareRoot() / (s + eps).squareRoot() * gi
                            sq[i] = s
                            acc[i] = rho * acc[i] + keep * d * d
                            p[i] -= lr * d
                            i += 1
                        }
                    }
                }
            }
        }
    }

    /// State as flat arrays for a checkpoint: [squareAverage, deltaAverage].
    public func exportState() -> [[Float]] { [squareAverage, deltaAverage] }

    public mutating func importState(_ state: [[Float]]) throws(TrainingError) {
        guard state.count == 2, state.allSatisfy({ $0.count == squareAverage.count }) else {
            throw TrainingError("Adadelta.importState", "expected 2 arrays of \(squareAverage.count) values, got \(state.map(\.count))")
        }
        squareAverage = state[0]
        deltaAverage = state[1]
    }

    /// A new phase starts with zero accumulators (README "Phases").
    public mutating func reset() {
        squareAverage = [Float](repeating: 0, count: squareAverage.count)
        deltaAverage = [Float](repeating: 0, count: deltaAverage.count)
    }
}
