// Adam (Kingma & Ba 2015) as PyTorch's torch.optim.Adam defines it (β 0.9, 0.999, ε 1e-8 added
// after the square root, bias-corrected moments) over a flat parameter buffer; its two moments
// mirror that buffer so they checkpoint as flat arrays under PyTorch's names.

public struct Adam: Sendable {
    public var learningRate: Float
    public var beta1: Float
    public var beta2: Float
    public var epsilon: Float
    /// First moment m, one per parameter (PyTorch exp_avg).
    public private(set) var firstMoment: [Float]
    /// Second moment v, one per parameter (PyTorch exp_avg_sq).
    public private(set) var secondMoment: [Float]

    public init(
        parameterCount: Int, learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
        epsilon: Float = 1e-8
    ) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        firstMoment = [Float](repeating: 0, count: parameterCount)
        secondMoment = [Float](repeating: 0, count: parameterCount)
    }

    /// Update number `step` (1 for the first update after a reset): m ← β₁m + (1−β₁)g;
    /// v ← β₂v + (1−β₂)g²; p ← p − lr·(m / (1−β₁ᵗ)) / (sqrt(v / (1−β₂ᵗ)) + ε), for the indices in
    /// `range` only (a frozen part keeps its parameters and state). The step is the caller's count,
    /// kept in the training cursor, so a resumed run corrects the moments as the straight run did.
    public mutating func update(parameters: inout [Float], gradients: [Float], range: Range<Int>, step: Int) {
        precondition(step >= 1, "Adam's step count starts at 1, got \(step)")
        let b1 = beta1
        let b2 = beta2
        let keep1 = 1 - beta1
        let keep2 = 1 - beta2
        let eps = epsilon
        // PyTorch's order: step size lr / (1 − β₁ᵗ), denominator sqrt(v) / sqrt(1 − β₂ᵗ) + ε.
        let stepSize = learningRate / (1 - Float(Double(beta1).power(step)))
        let secondCorrection = Float(Double(1 - Double(beta2).power(step)).squareRoot())
        OptimizerState.update(
            "Adam", parameters: &parameters, gradients: gradients, &firstMoment, &secondMoment,
            range: range
        ) { p, g, m, v in
            m = b1 * m + keep1 * g
            v = b2 * v + keep2 * g * g
            p = p - stepSize * (m / (v.squareRoot() / secondCorrection + eps))
        }
    }

    /// State as flat arrays for a checkpoint: [firstMoment, secondMoment].
    public func exportState() -> [[Float]] { [firstMoment, secondMoment] }

    public mutating func importState(_ state: [[Float]]) throws(TrainingError) {
        (firstMoment, secondMoment) = try OptimizerState.pair(state, count: firstMoment.count, owner: "Adam")
    }

    /// A new phase starts with zero moments and its step count at 0.
    public mutating func reset() { (firstMoment, secondMoment) = OptimizerState.zeroPair(count: firstMoment.count) }
}

extension Double {
    /// self raised to a non-negative integer power, by repeated squaring.
    func power(_ exponent: Int) -> Double {
        var result = 1.0
        var base = self
        var e = exponent
        while e > 0 {
            if e & 1 == 1 { result *= base }
            base *= base
            e >>= 1
        }
        return result
    }
}
