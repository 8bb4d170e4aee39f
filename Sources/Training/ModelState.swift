// The model's state as named tensors and back: parameters under the golden README's names and
// layouts, BN running statistics, and the optimizer's state as "optimizer.<parameter>.<slot>".
import Network

public enum ModelState {
    static func checkpoint(
        model: JointModel, optimizer: Optimizer?, cursor: TrainingCursor,
        configuration: TrainingConfiguration, classes: [String]
    ) -> Checkpoint {
        var tensors = weightTensors(parameters: model.parameters, buffers: model.buffers, model: model)
        if let optimizer {
            for (slot, state) in zip(optimizer.slotNames, optimizer.exportState()) {
                for entry in model.layout.entries {
                    tensors.append(
                        NamedTensor(
                            name: "optimizer.\(entry.name).\(slot)", shape: entry.shape,
                            values: Array(state[entry.range])))
                }
            }
        }
        return Checkpoint(tensors: tensors, cursor: cursor, configuration: configuration.jsonText(), classes: classes)
    }

    static func weightTensors(parameters: [Float], buffers: [Float], model: JointModel) -> [NamedTensor] {
        model.layout.entries.map { NamedTensor(name: $0.name, shape: $0.shape, values: Array(parameters[$0.range])) }
            + model.bufferLayout.map { NamedTensor(name: $0.name, shape: $0.shape, values: Array(buffers[$0.range])) }
    }

    /// Fills parameters and BN buffers from a checkpoint; every tensor must be there with its shape.
    public static func loadWeights(
        _ checkpoint: Checkpoint, parameters: inout [Float], buffers: inout [Float],
        model: JointModel, source: String
    ) throws {
        let byName = Dictionary(checkpoint.tensors.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for entry in model.layout.entries {
            let tensor = try require(byName[entry.name], entry.name, entry.shape, source)
            parameters.replaceSubrange(entry.range, with: tensor.values)
        }
        for entry in model.bufferLayout {
            buffers.replaceSubrange(
                entry.range, with: try require(byName[entry.name], entry.name, entry.shape, source).values)
        }
    }

    /// Weights, BN buffers and optimizer state.
    static func load(_ checkpoint: Checkpoint, into model: JointModel, optimizer: inout Optimizer, source: String)
        throws
    {
        try loadWeights(
            checkpoint, parameters: &model.parameters, buffers: &model.buffers, model: model, source: source)
        let byName = Dictionary(checkpoint.tensors.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var state: [[Float]] = []
        for slot in optimizer.slotNames {
            var values = [Float](repeating: 0, count: model.parameters.count)
            for entry in model.layout.entries {
                let name = "optimizer.\(entry.name).\(slot)"
                values.replaceSubrange(entry.range, with: try require(byName[name], name, entry.shape, source).values)
            }
            state.append(values)
        }
        try optimizer.importState(state)
    }

    private static func require(_ tensor: NamedTensor?, _ name: String, _ shape: [Int], _ source: String) throws
        -> NamedTensor
    {
        guard let tensor else {
            throw TrainingError(
                "\(source): tensor \(name) is missing (was the checkpoint written for another model or optimizer?)")
        }
        guard tensor.shape == shape else {
            throw TrainingError("\(source): tensor \(name) has shape \(tensor.shape), the model needs \(shape)")
        }
        return tensor
    }
}
