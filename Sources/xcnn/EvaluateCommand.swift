// `xcnn evaluate`: every image of a split scored from a checkpoint — accuracy per class by name, and
// per explanation method its maps against the target (box and dilated-mask energy beside a uniform
// map, pointing game with tolerance, IoU, POMPOM), on images without the target how much is on, and
// deletion faithfulness. Ranks share the images; rank 0 gathers, prints the table, writes evaluation.json.
import ArgumentParser
import Attribution
import Datasets
import Foundation
import Kernels
import MessagePassing
import Network
import Training

/// One explanation method: a name and the map it makes for one image, scored by the same metric
/// code as every other method. The explainer's entry returns the E already computed for the image;
/// post-hoc methods compute theirs.
struct ExplanationMethod {
    var name: String
    /// (input [1, 3, S, S], the explainer's E of it [S·S], the predicted class) → one map [S·S].
    var maps: (_ input: Tensor, _ modelExplanation: [Float], _ predicted: Int) throws -> [Float]

    /// The in-model explainer's E, scored as it is (already in [0, 1]).
    static var explainer: ExplanationMethod { ExplanationMethod(name: "explainer") { _, e, _ in e } }

    /// A post-hoc method (Sources/Attribution) on the joint model's classifier with its E, explaining
    /// the predicted class's logit. Scored as |map| / max |map| per image: signed methods (input ×
    /// gradient, integrated gradients, LRP-ε, deconvnet) count evidence of either sign, as Captum's
    /// "absolute_value" view shows them, and the 0.75 threshold of IoU and active share then means the
    /// same fraction of the map's peak as it does for E. A map that is 0 everywhere stays 0.
    static func postHoc(_ method: AttributionMethod, attributor: Attributor) -> ExplanationMethod {
        ExplanationMethod(name: method.name) { input, _, predicted in
            let raw = try attributor.maps(method, input: input, targets: [predicted]).storage
            let peak = raw.reduce(Float(0)) { max($0, abs($1)) }
            return peak > 0 ? raw.map { abs($0) / peak } : raw.map { _ in 0 }
        }
    }

    /// Methods named in a comma-separated list: "explainer", the post-hoc methods' names, or "all".
    static func parse(_ list: String, side: Int) throws -> [String] {
        let known = ["explainer"] + AttributionMethod.all(side: side).map(\.name)
        var names: [String] = []
        for item in list.split(separator: ",", omittingEmptySubsequences: false).map({ $0.trimmingCharacters(in: .whitespaces) }) {
            if item == "all" { names += known.filter { !names.contains($0) }; continue }
            guard known.contains(item) else {
                throw ValidationError("invalid --methods \(list): unknown method \"\(item)\"; methods: \(known.joined(separator: ", ")) or all")
            }
            guard !names.contains(item) else { throw ValidationError("invalid --methods \(list): \(item) is named twice") }
            names.append(item)
        }
        return names
    }
}

struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Score a checkpoint's decisions and explanations on every image of a split (run under mpirun to share the work).",
        discussion: """
        Example: mpirun -np 2 xcnn evaluate --checkpoint runs/a/checkpoints/phase3-best.safetensors
        Writes evaluation.json (summary per method and every image's scores) to --output and prints a table.
        With --dataset the checkpoint is scored on another set (a preset, a VOC directory or an image
        folder) at the checkpoint's side; the classes must be the checkpoint's.
        """
    )

    @Option(help: "Checkpoint (.safetensors) written by xcnn train.")
    var checkpoint: String
    @Option(help: "Dataset to score instead of the run's: synthetic:<preset>, a VOC directory or an image folder.")
    var dataset: String?
    @Option(help: "Images to generate for a synthetic --dataset (default: the preset's count).")
    var imageCount: Int?
    @Option(help: "Which images: validation, train or all (default validation).")
    var split = "validation"
    @Option(help: "Folder for evaluation.json (default: RUN/evaluation beside RUN/checkpoints, else ./evaluation).")
    var output: String?
    @Option(help: "Deletion steps L (8×8 patches replaced by the image's mean colour in L equal steps; 0: no deletion).")
    var deletionSteps = 16
    @Option(help: "Images per forward pass of the deletion curves.")
    var batch = 8
    @Option(help: "Explanation methods to score, comma-separated: explainer, saliency, input-x-gradient, smoothgrad, integrated-gradients, guided-backprop, deconvnet, lrp-epsilon, lrp-alpha1beta0, grad-cam, occlusion, or all (default explainer).")
    var methods = "explainer"
    @Option(help: "Which classifier the post-hoc methods explain: joint (the model's classifier with its E) or phase1 (with E = 1, as the paper applied them to the classifier trained alone; give a phase-1 checkpoint) (default joint).")
    var classifier = "joint"

    func validate() throws {
        guard ["validation", "train", "all"].contains(split) else {
            throw ValidationError("invalid --split \(split): expected validation, train or all")
        }
        guard deletionSteps >= 0 && deletionSteps <= 4096 else {
            throw ValidationError("invalid --deletion-steps \(deletionSteps): expected 0 (no deletion) to 4096")
        }
        guard batch >= 1 && batch <= 1024 else { throw ValidationError("invalid --batch \(batch): expected 1 to 1024") }
        if let imageCount, imageCount < 4 { throw ValidationError("invalid --image-count \(imageCount): below 4") }
        if imageCount != nil && dataset == nil { throw ValidationError("--image-count needs --dataset synthetic:<preset>") }
        _ = try ExplanationMethod.parse(methods, side: 224)
        guard ExplainedClassifier(rawValue: classifier) != nil else {
            throw ValidationError("invalid --classifier \(classifier): expected joint or phase1")
        }
    }

    /// Where evaluation.json goes when --output is not given.
    var outputDirectory: URL {
        if let output { return URL(fileURLWithPath: output, isDirectory: true) }
        let folder = URL(fileURLWithPath: checkpoint).deletingLastPathComponent()
        return folder.lastPathComponent == "checkpoints"
            ? folder.deletingLastPathComponent().appendingPathComponent("evaluation", isDirectory: true)
            : URL(fileURLWithPath: "evaluation", isDirectory: true)
    }

    func run() throws {
        _ = try BLASSetup.configure()
        let world = try Communicator.world()
        let clock = Stopwatch()
        // Rank 0 reads the file; every rank gets the same bytes even without a shared disk.
        let bytes = try world.broadcast(bytes: world.rank == 0 ? CheckpointFile.readBytes(URL(fileURLWithPath: checkpoint)) : [])
        let loaded = try CheckpointFile.decode(bytes, source: checkpoint)
        var configuration = try TrainingConfiguration(json: Data(loaded.configuration.utf8), source: checkpoint)
        if let dataset {
            configuration.dataset = dataset
            configuration.imageCount = imageCount
        }
        try configuration.validate()
        let data = try configuration.openDataset()
        if world.rank == 0 { for line in data.reportLines() { FileHandle.standardError.write(Data("warning: \(line)\n".utf8)) } }
        let classes = try Self.classNames(checkpoint: loaded.classes, dataset: data.classes, outputs: loaded.classCount(source: checkpoint),
                                          source: checkpoint, datasetName: configuration.dataset)
        let model = try JointModel(configuration: configuration.modelConfiguration(classes: classes.count), batchCapacity: batch)
        try ModelState.loadWeights(loaded, parameters: &model.parameters, buffers: &model.buffers, model: model, source: checkpoint)
        let side = configuration.side, plane = side * side

        let indices: [Int]
        switch split {
        case "train": indices = data.split.train
        case "all": indices = Array(0..<data.count)
        default: indices = data.split.validation
        }
        guard !indices.isEmpty else { throw CommandFailure("dataset \(configuration.dataset): the \(split) split is empty") }
        // Each rank scores its own images, so the attributor's many-pass methods run unshared here.
        let attributor = try Attributor(model: model, classifier: ExplainedClassifier(rawValue: classifier)!, communicator: nil)
        let methods = try ExplanationMethod.parse(self.methods, side: side).map { name in
            name == "explainer" ? ExplanationMethod.explainer
                : ExplanationMethod.postHoc(AttributionMethod.named(name, side: side)!, attributor: attributor)
        }

        // Image at position i of the split goes to rank i mod size. Each image is scored alone (a
        // forward of one image, deletion forwards in fixed groups), so its numbers do not depend on
        // the rank or the world size.
        var mine: [ImageEvaluation] = []
        for position in stride(from: world.rank, to: indices.count, by: world.size) {
            let index = indices[position]
            let sample = try data.load(index: index, side: side)
            let input = Tensor(shape: [1, 3, side, side], storage: sample.pixels)
            let (e, probabilities) = model.explain(input: input)
            let p = probabilities.storage
            let predicted = p.indices.max { p[$0] < p[$1] }!
            var scores: [MapScores] = []
            for method in methods {
                let map = try method.maps(input, e.storage, predicted)
                guard map.count == plane else {
                    throw CommandFailure("method \(method.name) returned \(map.count) values for one \(side)×\(side) image")
                }
                var curve: DeletionCurve?
                if deletionSteps > 0 {
                    curve = Deletion.curve(image: sample.pixels, explanation: map, side: side, steps: deletionSteps,
                                           probability0: Double(p[predicted]), batch: batch) { stacked, n in
                        let result = model.explain(input: Tensor(shape: [n, 3, side, side], storage: stacked)).probabilities.storage
                        return (0..<n).map { Double(result[$0 * classes.count + predicted]) }
                    }
                }
                scores.append(MapScores.score(explanation: map, side: side, targetMask: sample.targetMask,
                                              boxMask: sample.boxMask, deletion: curve))
            }
            mine.append(ImageEvaluation(index: index, label: sample.label, predicted: predicted,
                                        probability: Double(p[predicted]), scores: scores))
        }

        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let gathered = try world.allgather(bytes: [UInt8](encoder.encode(mine)))
        guard world.rank == 0 else { return }
        var byPosition = [ImageEvaluation?](repeating: nil, count: indices.count)
        for (rank, part) in gathered.enumerated() {
            let images = try decoder.decode([ImageEvaluation].self, from: Data(part))
            for (k, image) in images.enumerated() { byPosition[rank + k * world.size] = image }
        }
        let report = EvaluationReport(classes: classes, methods: methods.map(\.name), images: byPosition.map { $0! })

        let directory = outputDirectory
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        let path = directory.appendingPathComponent("evaluation.json")
        try encoder.encode(report).write(to: path)

        print("evaluated \(checkpoint) on \(configuration.dataset) (\(split) split, \(indices.count) images, side \(side)) "
              + "on \(world.size) rank(s) in \(String(format: "%.1f", clock.seconds)) s")
        for line in EvaluationTable.lines(report, side: side, deletionSteps: deletionSteps) { print(line) }
        print("wrote \(path.path)")
    }

    /// Class names: the checkpoint's (stored since class names were kept), else the dataset's; they
    /// must agree with each other and with the model's outputs.
    static func classNames(checkpoint: [String]?, dataset: [String], outputs: Int, source: String,
                           datasetName: String) throws -> [String] {
        if let checkpoint, checkpoint != dataset {
            throw CommandFailure("\(source) was trained on classes \(checkpoint.joined(separator: ", ")) but dataset \(datasetName) "
                + "has \(dataset.joined(separator: ", "))")
        }
        guard dataset.count == outputs else {
            throw CommandFailure("\(source) has \(outputs) outputs but dataset \(datasetName) has \(dataset.count) classes "
                + "(\(dataset.joined(separator: ", ")))")
        }
        return checkpoint ?? dataset
    }
}
