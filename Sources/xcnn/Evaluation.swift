// The work of `xcnn evaluate` (also run by `xcnn report` when a run has no evaluation yet): every
// image of a split scored by every method, shared across ranks (image at position i of the split on
// rank i mod size), gathered on rank 0, written as evaluation.json and, with saveMaps, the raw maps
// as maps.safetensors. Each image is scored alone, so the files do not depend on the world size.
import Attribution
import Datasets
import Foundation
import Kernels
import MessagePassing
import Report
import Training

struct Evaluation {
    var checkpoint: String
    var dataset: String?
    var imageCount: Int?
    var split = "validation"
    var outputDirectory: URL
    var deletionSteps = 16
    var batch = 8
    var methods = "explainer"
    var classifier = "joint"
    var saveMaps = false

    /// What rank 0 reports when the files are written.
    struct Outcome {
        var report: EvaluationReport
        var json: URL
        var maps: URL?
        var datasetName: String
        var side: Int
    }

    /// Runs on every rank of `world`; rank 0 returns the outcome, the others nil.
    func run(world: Communicator) throws -> Outcome? {
        let opened = try CheckpointModel(
            checkpoint: checkpoint, dataset: dataset, imageCount: imageCount, batch: batch, world: world)
        let model = opened.model
        let side = opened.side
        let plane = side * side
        let classes = opened.classes
        let indices = opened.indices(split: split)
        guard !indices.isEmpty else {
            throw CommandFailure("dataset \(opened.configuration.dataset): the \(split) split is empty")
        }
        // Each rank scores its own images, so the attributor's many-pass methods run unshared here.
        let attributor = try Attributor(
            model: model, classifier: ExplainedClassifier(rawValue: classifier)!, communicator: nil)
        let methods = ExplanationMethod.resolve(
            try ExplanationMethod.parse(self.methods, side: side), side: side, attributor: attributor)

        var mine: [ImageEvaluation] = []
        var mapRows: [[Float]] = []
        for position in RankStride.positions(rank: world.rank, size: world.size, count: indices.count) {
            let index = indices[position]
            let sample = try opened.data.load(index: index, side: side)
            let input = Tensor(shape: [1, 3, side, side], storage: sample.pixels)
            let (e, probabilities) = model.explain(input: input)
            let p = probabilities.storage
            let predicted = p.indices.max { p[$0] < p[$1] }!
            // Only a generated image has a flat background from which its other shapes can be read.
            let distractors =
                opened.configuration.dataset.hasPrefix("synthetic:")
                ? DistractorOutlines.region(image: sample.pixels, side: side, targetMask: sample.targetMask) : nil
            var scores: [MapScores] = []
            var raws: [[Float]] = []
            for method in methods {
                let raw = try method.rawMap(input, e.storage, predicted)
                guard raw.count == plane else {
                    throw CommandFailure(
                        "method \(method.name) returned \(raw.count) values for one \(side)×\(side) image")
                }
                if saveMaps { raws.append(raw) }
                let map = method.normalised(raw)
                var curve: DeletionCurve?
                if deletionSteps > 0 {
                    curve = Deletion.curve(
                        image: sample.pixels, explanation: map, side: side, steps: deletionSteps,
                        probability0: Double(p[predicted]), batch: batch
                    ) { stacked, n in
                        let result = model.explain(input: Tensor(shape: [n, 3, side, side], storage: stacked))
                            .probabilities.storage
                        return (0..<n).map { Double(result[$0 * classes.count + predicted]) }
                    }
                }
                scores.append(
                    MapScores.score(
                        explanation: map, side: side, targetMask: sample.targetMask,
                        boxMask: sample.boxMask, distractors: distractors, deletion: curve))
            }
            if saveMaps { mapRows.append(EvaluationMaps.row(input: sample.pixels, maps: raws, side: side)) }
            mine.append(
                ImageEvaluation(
                    index: index, label: sample.label, predicted: predicted,
                    probability: Double(p[predicted]), scores: scores))
        }

        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let gathered = try world.allgather(bytes: [UInt8](encoder.encode(mine)))
        let rows = saveMaps ? try Self.gatherRows(mapRows, count: indices.count, world: world) : nil
        guard world.rank == 0 else { return nil }
        let images = RankStride.merge(
            try gathered.map { try decoder.decode([ImageEvaluation].self, from: Data($0)) }, count: indices.count)

        let directory = outputDirectory
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var mapsURL: URL?
        var listing: SavedMapsListing?
        if let rows {
            let names = methods.map(\.name)
            let entries = indices.map { SavedMapsListing.Image(index: $0, path: opened.data.path(of: $0)) }
            let url = directory.appendingPathComponent(EvaluationMaps.fileName)
            try Data(EvaluationMaps.encode(rows: rows, methods: names, side: side, images: entries)).write(to: url)
            listing = SavedMapsListing(
                file: EvaluationMaps.fileName, input: EvaluationMaps.inputName, methods: names, images: entries)
            mapsURL = url
        }
        let setup = EvaluationSetup(
            checkpoint: checkpoint, dataset: opened.configuration.dataset,
            imageCount: opened.configuration.imageCount, split: split, side: side,
            classifier: classifier, deletionSteps: deletionSteps)
        let report = EvaluationReport(
            classes: classes, methods: methods.map(\.name), images: images, setup: setup, savedMaps: listing)
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        let path = directory.appendingPathComponent("evaluation.json")
        try encoder.encode(report).write(to: path)
        return Outcome(report: report, json: path, maps: mapsURL, datasetName: opened.configuration.dataset, side: side)
    }

    /// Every rank's map rows on rank 0, in split order (nil elsewhere). Sent one image per rank per
    /// round, so no rank holds more than its own rows and one round's worth of the others' (a whole
    /// validation set of 224² maps would not fit one allgather's 2 GB count).
    static func gatherRows(_ mine: [[Float]], count: Int, world: Communicator) throws -> [[Float]]? {
        let rounds = (count + world.size - 1) / world.size
        var parts = [[[Float]]](repeating: [], count: world.size)
        for round in 0..<rounds {
            let bytes = round < mine.count ? EvaluationMaps.bytes(mine[round]) : []
            let received = try world.allgather(bytes: bytes)
            guard world.rank == 0 else { continue }
            for (rank, part) in received.enumerated() where round * world.size + rank < count {
                parts[rank].append(EvaluationMaps.row(bytes: part))
            }
        }
        return world.rank == 0 ? RankStride.merge(parts, count: count) : nil
    }
}
