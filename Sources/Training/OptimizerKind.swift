// Which optimizer a run trains with, as a configuration value ("adadelta", "sgd", "adam" in JSON and flags).

public enum OptimizerKind: String, Codable, Sendable, CaseIterable {
    /// Keras' defaults (ρ 0.95, ε 1e-7): the paper's optimizer.
    case adadelta
    /// SGD with momentum (Keras' form).
    case sgd
    /// PyTorch's definition (β 0.9, 0.999, ε 1e-8): the authors' later code.
    case adam

    /// The learning rate when none is given: the Keras/PyTorch defaults.
    public var defaultLearningRate: Double {
        switch self {
        case .adadelta: 1.0
        case .sgd: 0.01
        case .adam: 0.001
        }
    }
}
