// Adadelta with Keras defaults (lr 1.0, ρ 0.95, ε 1e-7) over a flat parameter buffer; its two
// accumulators mirror that buffer so they checkpoint as flat arrays.

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
        let rho = self.rho
        let keep = 1 - rho
        let eps = epsilon
        let lr = learningRate
        OptimizerState.update(
            "Adadelta", parameters: &parameters, gradients: gradients, &squareAverage, &deltaAverage,
            range: range
        ) { p, g, sq, acc in
            sq = rho * sq + keep * g * g
            let d = (acc + eps).squareRoot() / (sq + eps).squareRoot() * g
            acc = rho * acc + keep * d * d
            p = p - lr * d
        }
    }

    /// State as flat arrays for a checkpoint: [squareAverage, deltaAverage].
    public func exportState() -> [[Float]] { [squareAverage, deltaAverage] }

    public mutating func importState(_ state: [[Float]]) throws(TrainingError) {
        (squareAverage, deltaAverage) = try OptimizerState.pair(state, count: squareAverage.count, owner: "Adadelta")
    }

    /// A new phase starts with zero accumulators (README "Phases").
    public mutating func reset() { (squareAverage, deltaAverage) = OptimizerState.zeroPair(count: squareAverage.count) }
}
