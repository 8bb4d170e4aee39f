// `xcnn evaluate`: every image of a split scored from a checkpoint — accuracy per class by name, and
// per explanation method its maps against the target (box and dilated-mask energy beside a uniform
// map, pointing game with tolerance, IoU, POMPOM), on images without the target how much is on, and
// deletion faithfulness. Ranks share the images (Evaluation); rank 0 prints the table.
import ArgumentParser
import Attribution
import Foundation
import MessagePassing
import Report
import Training

struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract:
            "Score a checkpoint's decisions and explanations on every image of a split (run under mpirun to share the work).",
        discussion: """
            Example: mpirun -np 2 xcnn evaluate --checkpoint runs/a/checkpoints/phase3-best.safetensors
            Writes evaluation.json (summary per method and every image's scores) to --output and prints a table;
            --save-maps also writes every method's raw maps (maps.safetensors) for recomputing them elsewhere.
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
    @Option(
        help: "Deletion steps L (8×8 patches replaced by the image's mean colour in L equal steps; 0: no deletion).")
    var deletionSteps = 16
    @Option(help: "Images per forward pass of the deletion curves.")
    var batch = 8
    @Option(
        help:
            "Explanation methods to score, comma-separated: explainer, saliency, input-x-gradient, smoothgrad, integrated-gradients, guided-backprop, deconvnet, lrp-epsilon, lrp-alpha1beta0, grad-cam, occlusion, or all (default explainer)."
    )
    var methods = "explainer"
    @Option(
        help:
            "Which classifier the post-hoc methods explain: joint (the model's classifier with its E) or phase1 (with E = 1, as the paper applied them to the classifier trained alone; give a phase-1 checkpoint) (default joint)."
    )
    var classifier = "joint"
    @Flag(
        help:
            "Also write maps.safetensors beside evaluation.json: the input [N, 3, S, S] and each method's raw map [N, S, S] (float32), rows in the order of evaluation.json's savedMaps.images."
    )
    var saveMaps = false

    func validate() throws {
        guard ["validation", "train", "all"].contains(split) else {
            throw ValidationError("invalid --split \(split): expected validation, train or all")
        }
        guard deletionSteps >= 0 && deletionSteps <= 4096 else {
            throw ValidationError("invalid --deletion-steps \(deletionSteps): expected 0 (no deletion) to 4096")
        }
        guard batch >= 1 && batch <= 1024 else { throw ValidationError("invalid --batch \(batch): expected 1 to 1024") }
        if let imageCount, imageCount < 4 { throw ValidationError("invalid --image-count \(imageCount): below 4") }
        if imageCount != nil && dataset == nil {
            throw ValidationError("--image-count needs --dataset synthetic:<preset>")
        }
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
        let evaluation = Evaluation(
            checkpoint: checkpoint, dataset: dataset, imageCount: imageCount, split: split,
            outputDirectory: outputDirectory, deletionSteps: deletionSteps, batch: batch, methods: methods,
            classifier: classifier, saveMaps: saveMaps)
        guard let outcome = try evaluation.run(world: world) else { return }
        print(
            "evaluated \(checkpoint) on \(outcome.datasetName) (\(split) split, \(outcome.report.images) images, side \(outcome.side)) "
                + "on \(world.size) rank(s) in \(String(format: "%.1f", clock.seconds)) s")
        for line in EvaluationTable.lines(outcome.report, side: outcome.side, deletionSteps: deletionSteps) {
            print(line)
        }
        print("wrote \(outcome.json.path)")
        if let maps = outcome.maps {
            print(
                "wrote \(maps.path) (input and \(outcome.report.methods.count) map tensor(s), rows as evaluation.json's savedMaps.images)"
            )
        }
    }
}
