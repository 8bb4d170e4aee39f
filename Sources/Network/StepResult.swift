// What a training or evaluation step takes besides the batch (phase, loss weights) and what it returns.
import Kernels

/// The three-phase schedule (SPEC §2); the raw value is the phase number, and phases order as they run.
public enum Phase: Int, Codable, Sendable, CaseIterable, Comparable {
    /// Classifier only; the explainer is not run and E is all ones.
    case classifierOnly = 1
    /// Explainer only; the frozen classifier is fed E and passes gradients back to it.
    case explainerOnly = 2
    /// Both, end to end.
    case joint = 3

    public var runsExplainer: Bool { self != .classifierOnly }
    var trainsClassifier: Bool { self != .explainerOnly }

    public static func < (a: Phase, b: Phase) -> Bool { a.rawValue < b.rawValue }
}

/// Weights of the explanation terms: loss = CE + l1·L1 + tv·TV + box·BOX.
public struct LossWeights: Codable, Sendable, Equatable {
    public var l1: Float
    public var tv: Float
    public var box: Float
    /// Weight of the cross-entropy (1, or the authors' α of α·CE + (1 − α)·explanation terms).
    public var crossEntropy: Float

    public init(l1: Float = 0, tv: Float = 0, box: Float = 0, crossEntropy: Float = 1) {
        self.l1 = l1
        self.tv = tv
        self.box = box
        self.crossEntropy = crossEntropy
    }
}

public struct StepResult: Sendable {
    /// Unweighted components (l1, tv, box are 0 in phase 1, box also without a box mask) and the total.
    public var crossEntropy: Double
    public var l1: Double
    public var tv: Double
    public var box: Double
    public var total: Double
    /// Images whose most probable class is the label.
    public var correct: Int
    /// softmax(logits), [N, K].
    public var probabilities: Tensor
}
