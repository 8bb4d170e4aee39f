// A trained model opened from a checkpoint with the dataset it is scored on: what `evaluate`,
// `report` and their figures share. Under mpirun rank 0 reads the file and every rank gets its bytes,
// so nodes need no shared disk.
import Datasets
import Foundation
import MessagePassing
import Network
import Training

struct CheckpointModel {
    var configuration: TrainingConfiguration
    var data: Dataset
    var classes: [String]
    var model: JointModel

    /// - Parameters:
    ///   - dataset, imageCount: another dataset to score instead of the run's (its classes must be the checkpoint's).
    ///   - batch: images per forward pass the model is built for.
    ///   - world: the ranks that share the checkpoint's bytes (nil: read the file here).
    init(
        checkpoint: String, dataset: String? = nil, imageCount: Int? = nil, batch: Int, world: Communicator?,
        reportDataset: Bool = true
    ) throws {
        let url = URL(fileURLWithPath: checkpoint)
        let bytes =
            try world.map { try $0.broadcast(bytes: $0.rank == 0 ? CheckpointFile.readBytes(url) : []) }
            ?? CheckpointFile.readBytes(url)
        let loaded = try CheckpointFile.decode(bytes, source: checkpoint)
        configuration = try TrainingConfiguration(json: Data(loaded.configuration.utf8), source: checkpoint)
        if let dataset {
            configuration.dataset = dataset
            configuration.imageCount = imageCount
        }
        try configuration.validate()
        data = try configuration.openDataset()
        if reportDataset && (world?.rank ?? 0) == 0 {
            for line in data.reportLines() { FileHandle.standardError.write(Data("warning: \(line)\n".utf8)) }
        }
        classes = try Self.classNames(
            checkpoint: loaded.classes, dataset: data.classes, outputs: loaded.classCount(source: checkpoint),
            source: checkpoint, datasetName: configuration.dataset)
        model = try configuration.makeModel(classes: classes.count, batchCapacity: batch)
        try ModelState.loadWeights(
            loaded, parameters: &model.parameters, buffers: &model.buffers, model: model, source: checkpoint)
    }

    var side: Int { configuration.side }

    /// The indices of a split: "validation", "train" or "all".
    func indices(split: String) -> [Int] {
        switch split {
        case "train": data.split.train
        case "all": Array(0..<data.count)
        default: data.split.validation
        }
    }

    /// Class names: the checkpoint's (stored since class names were kept), else the dataset's; they
    /// must agree with each other and with the model's outputs.
    static func classNames(
        checkpoint: [String]?, dataset: [String], outputs: Int, source: String,
        datasetName: String
    ) throws -> [String] {
        if let checkpoint, checkpoint != dataset {
            throw CommandFailure(
                "\(source) was trained on classes \(checkpoint.joined(separator: ", ")) but dataset \(datasetName) "
                    + "has \(dataset.joined(separator: ", "))")
        }
        guard dataset.count == outputs else {
            throw CommandFailure(
                "\(source) has \(outputs) outputs but dataset \(datasetName) has \(dataset.count) classes "
                    + "(\(dataset.joined(separator: ", ")))")
        }
        return checkpoint ?? dataset
    }
}
