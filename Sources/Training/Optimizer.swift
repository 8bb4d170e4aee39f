// The optimizer a run was configured with, behind one interface for the trainer and checkpoints.
enum Optimizer {
    case adadelta(Adadelta)
    case sgd(MomentumSGD)
    case adam(Adam)

    /// The learning rate is the phase's: set it with `setLearningRate` before the phase's first update.
    init(configuration: TrainingConfiguration, parameterCount: Int) {
        switch configuration.optimizer {
        case .adam:
            self = .adam(Adam(parameterCount: parameterCount))
        case .sgd:
            self = .sgd(
                MomentumSGD(parameterCount: parameterCount, learningRate: 0, momentum: Float(configuration.momentum)))
        case .adadelta:
            self = .adadelta(Adadelta(parameterCount: parameterCount))
        }
    }

    /// Names of the per-parameter state arrays, as stored in checkpoints (PyTorch's names).
    var slotNames: [String] {
        switch self {
        case .adadelta: return ["square_avg", "acc_delta"]
        case .sgd: return ["momentum_buffer"]
        case .adam: return ["exp_avg", "exp_avg_sq"]
        }
    }

    /// `step`: this update's number within the phase, from 1 (only Adam uses it).
    mutating func update(parameters: inout [Float], gradients: [Float], range: Range<Int>, step: Int) {
        switch self {
        case .adadelta(var o):
            o.update(parameters: &parameters, gradients: gradients, range: range)
            self = .adadelta(o)
        case .sgd(var o):
            o.update(parameters: &parameters, gradients: gradients, range: range)
            self = .sgd(o)
        case .adam(var o):
            o.update(parameters: &parameters, gradients: gradients, range: range, step: step)
            self = .adam(o)
        }
    }

    mutating func setLearningRate(_ rate: Float) {
        switch self {
        case .adadelta(var o):
            o.learningRate = rate
            self = .adadelta(o)
        case .sgd(var o):
            o.learningRate = rate
            self = .sgd(o)
        case .adam(var o):
            o.learningRate = rate
            self = .adam(o)
        }
    }

    mutating func reset() {
        switch self {
        case .adadelta(var o):
            o.reset()
            self = .adadelta(o)
        case .sgd(var o):
            o.reset()
            self = .sgd(o)
        case .adam(var o):
            o.reset()
            self = .adam(o)
        }
    }

    func exportState() -> [[Float]] {
        switch self {
        case .adadelta(let o): return o.exportState()
        case .sgd(let o): return o.exportState()
        case .adam(let o): return o.exportState()
        }
    }

    mutating func importState(_ state: [[Float]]) throws {
        switch self {
        case .adadelta(var o):
            try o.importState(state)
            self = .adadelta(o)
        case .sgd(var o):
            try o.importState(state)
            self = .sgd(o)
        case .adam(var o):
            try o.importState(state)
            self = .adam(o)
        }
    }
}
