// Which optimizer a run trains with, as a configuration value ("adadelta", "sgd", "adam" in JSON and flags).

public enum OptimizerKind: String, Codable, Sendable, CaseIterable {
    /// Keras' defaults (ρ 0.95, ε 1e-7): the paper's optimizer.
    case adadelta
    /// SGD with momentum (Keras' form).
    case sgd
    /// PyTorch's definition (β 0.9, 0.999, ε 1e-8): the authors' later code.
    case adam

    /// The learning rates of phases 1, 2, 3 when none is given: Keras' defaults for Adadelta and SGD;
    /// for Adam the authors' later code (icrto/xML: 1e-3 for the classifier alone, 1e-4 once the
    /// explainer trains). Adam at 1e-3 in all three phases collapses phase 3 (docs/explanations.md,
    /// session 9).
    public var defaultLearningRates: [Double] {
        switch self {
        case .adadelta: [1.0, 1.0, 1.0]
        case .sgd: [0.01, 0.01, 0.01]
        case .adam: [1e-3, 1e-4, 1e-4]
        }
    }
}
