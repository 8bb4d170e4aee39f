// SGD with momentum (Keras form) over a flat parameter buffer; the velocity mirrors the buffer.

public struct MomentumSGD: Sendable {
    public var learningRate: Float
    public var momentum: Float
    public private(set) var velocity: [Float]

    public init(parameterCount: Int, learningRate: Float, momentum: Float = 0.9) {
        self.learningRate = learningRate
        self.momentum = momentum
        velocity = [Float](repeating: 0, count: parameterCount)
    }

    /// v ← μ·v − lr·g; p ← p + v, for the indices in `range` only.
    public mutating func update(parameters: inout [Float], gradients: [Float], range: Range<Int>) {
        precondition(
            parameters.count == velocity.count && gradients.count == velocity.count,
            "SGD state holds \(velocity.count) values, parameters \(parameters.count), gradients \(gradients.count)")
        let mu = momentum
        let lr = learningRate
        parameters.withUnsafeMutableBufferPointer { p in
            gradients.withUnsafeBufferPointer { g in
                velocity.withUnsafeMutableBufferPointer { v in
                    for i in range {
                        v[i] = mu * v[i] - lr * g[i]
                        p[i] += v[i]
                    }
                }
            }
        }
    }

    public func exportState() -> [[Float]] { [velocity] }

    public mutating func importState(_ state: [[Float]]) throws(TrainingError) {
        velocity = try OptimizerState.checked(state, slots: 1, count: velocity.count, owner: "MomentumSGD")[0]
    }

    public mutating func reset() { velocity = [Float](repeating: 0, count: velocity.count) }
}
