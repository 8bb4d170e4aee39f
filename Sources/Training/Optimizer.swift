// The optimizer a run was configured with, behind one interface for the trainer and checkpoints.
enum Optimizer {
    case adadelta(Adadelta)
    case sgd(MomentumSGD)

    init(configuration: TrainingConfiguration, parameterCount: Int) {
        switch configuration.optimizer {
        case "sgd":
            self = .sgd(MomentumSGD(parameterCount: parameterCount, learningRate: Float(configuration.learningRate),
                                    momentum: Float(configuration.momentum)))
        default:
            self = .adadelta(Adadelta(parameterCount: parameterCount, learningRate: Float(configuration.learningRate)))
        }
    }

    /// Names of the per-parameter state arrays, as stored in checkpoints (PyTorch's names).
    var slotNames: [String] {
        switch self {
        case .adadelta: return ["square_avg", "acc_delta"]
        case .sgd: return ["momentum_buffer"]
        }
    }

    mutating func update(parameters: inout [Float], gradients: [Float], range: Range<Int>) {
        switch self {
        case .adadelta(var o): o.update(parameters: &parameters, gradients: gradients, range: range); self = .adadelta(o)
        case .sgd(var o): o.update(parameters: &parameters, gradients: gradients, range: range); self = .sgd(o)
        }
    }

    mutating func reset() {
        switch self {
        case .adadelta(var o): o.reset(); self = .adadelta(o)
        case .sgd(var o): o.reset(); self = .sgd(o)
        }
    }

    func exportState() -> [[Float]] {
        switch self {
        case .adadelta(let o): return o.exportState()
        case .sgd(let o): return o.exportState()
        }
    }

    mutating func importState(_ state: [[Float]]) throws {
        switch self {
        case .adadelta(var o): try o.importState(state); self = .adadelta(o)
        case .sgd(var o): try o.importState(state); self = .sgd(o)
        }
    }
}
