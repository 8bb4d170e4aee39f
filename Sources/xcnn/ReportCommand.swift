// `xcnn report RUN`: one self-contained page, RUN/report/index.html, with the run's configuration,
// training curves per phase, the evaluation table and a grid of explanations as the paper's Fig. 6.
// The evaluation is RUN/evaluation/evaluation.json (where `xcnn evaluate` writes by default); when
// there is none, the report runs it first (shared across ranks under mpirun) and leaves it there.
import ArgumentParser
import Attribution
import Foundation
import Kernels
import MessagePassing
import Network
import Report
import Training

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract:
            "Write RUN/report/index.html: configuration, training curves, evaluation table and explanation grid (opens offline).",
        discussion: """
            Example: xcnn report runs/a          (mpirun -np 2 xcnn report runs/a shares an evaluation it has to run)
            Reads RUN/config.json, RUN/metrics.csv and RUN/evaluation/evaluation.json. Without an evaluation it first
            scores the validation split with --methods on --checkpoint (default: the run's final weights, the best
            checkpoint of its last phase) and writes RUN/evaluation/evaluation.json, as xcnn evaluate would. To report
            another evaluation, run xcnn evaluate with --output RUN/evaluation first. The grid explains the first
            --rows validation images with the target and --rows without it, with the evaluation's methods.
            Curves are drawn by Chart.js, read from Debian's libjs-chart.js and embedded in the page.
            """
    )

    @Argument(help: "Run directory written by xcnn train.")
    var runDirectory: String
    @Option(help: "Checkpoint to evaluate when the run has no evaluation yet (default: the run's final weights).")
    var checkpoint: String?
    @Option(help: "Methods to evaluate when the run has no evaluation yet: as xcnn evaluate --methods (default all).")
    var methods = "all"
    @Option(help: "Deletion steps of an evaluation the report runs (0: no deletion).")
    var deletionSteps = 16
    @Option(help: "Images per forward pass.")
    var batch = 8
    @Option(help: "Grid rows: this many validation images with the target and as many without.")
    var rows = 3
    @Option(
        help:
            "Chart.js build to embed (default: $XCNN_CHART_JS, else Debian's /usr/share/javascript/chart.js/chart.min.js)."
    )
    var chartJs: String?

    func validate() throws {
        _ = try ExplanationMethod.parse(methods, side: 224)
        guard deletionSteps >= 0 && deletionSteps <= 4096 else {
            throw ValidationError("invalid --deletion-steps \(deletionSteps): expected 0 (no deletion) to 4096")
        }
        guard batch >= 1 && batch <= 1024 else { throw ValidationError("invalid --batch \(batch): expected 1 to 1024") }
        guard rows >= 1 && rows <= 50 else { throw ValidationError("invalid --rows \(rows): expected 1 to 50") }
    }

    func run() throws {
        _ = try BLASSetup.configure()
        let world = try Communicator.world()
        let directory = RunDirectory(path: runDirectory)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.url.path, isDirectory: &isDirectory),
            isDirectory.boolValue
        else {
            throw CommandFailure("run directory \(runDirectory): no such directory")
        }
        guard let configuration = FileManager.default.contents(atPath: directory.configurationURL.path) else {
            throw CommandFailure(
                "\(directory.configurationURL.path): cannot read the run's configuration (is \(runDirectory) a run directory of xcnn train?)"
            )
        }
        // Rank 0 alone writes the page; it reads everything it needs before any long work.
        let chart = world.rank == 0 ? try ChartLibrary(path: chartJs) : nil
        guard let metrics = try? String(contentsOf: directory.metricsURL, encoding: .utf8) else {
            throw CommandFailure("\(directory.metricsURL.path): cannot read the run's metrics")
        }
        let curves = try TrainingCurves(csv: metrics, source: directory.metricsURL.path)

        let evaluationURL = directory.url.appendingPathComponent("evaluation/evaluation.json")
        var evaluation: EvaluationReport
        if FileManager.default.fileExists(atPath: evaluationURL.path) {
            guard world.rank == 0 else { return }
            evaluation = try Self.readEvaluation(evaluationURL)
        } else {
            let weights = try checkpoint ?? Self.finalCheckpoint(directory)
            if world.rank == 0 { print("no \(evaluationURL.path): evaluating \(weights) with \(methods) first") }
            let evaluationRun = Evaluation(
                checkpoint: weights, outputDirectory: evaluationURL.deletingLastPathComponent(),
                deletionSteps: deletionSteps, batch: batch, methods: methods)
            guard let outcome = try evaluationRun.run(world: world) else { return }
            print("wrote \(outcome.json.path)")
            evaluation = outcome.report
        }
        let grid = try Self.grid(evaluation, rows: rows, batch: batch, runDirectory: directory)
        let page = RunReport(
            runDirectory: runDirectory, configuration: String(decoding: configuration, as: UTF8.self), curves: curves,
            evaluation: evaluation, evaluationSource: evaluationURL.path, grid: grid)
        let folder = directory.url.appendingPathComponent("report", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("index.html")
        try Data(try page.html(chart: chart!).utf8).write(to: path)
        print("wrote \(path.path) (\(evaluation.methods.count) method(s), \(grid?.rows.count ?? 0) grid row(s))")
    }

    static func readEvaluation(_ url: URL) throws -> EvaluationReport {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        do {
            return try decoder.decode(EvaluationReport.self, from: Data(contentsOf: url))
        } catch {
            throw CommandFailure(
                "\(url.path): not an evaluation.json of xcnn evaluate (\(error)); remove it or write it again with xcnn evaluate"
            )
        }
    }

    /// The run's final weights: the best checkpoint of the last phase that has one.
    static func finalCheckpoint(_ directory: RunDirectory) throws -> String {
        for phase in Phase.allCases.reversed() {
            let url = directory.checkpointURL(phase: phase, kind: .best)
            if FileManager.default.fileExists(atPath: url.path) { return url.path }
        }
        throw CommandFailure(
            "\(directory.checkpointsURL.path): no phaseP-best.safetensors to evaluate; train first or give --checkpoint"
        )
    }

    /// The Fig. 6 grid: the evaluation's first `rows` images with the target and `rows` without (or the
    /// first 2·rows when the dataset does not say), each method's map in [0, 1] as it was scored.
    static func grid(_ evaluation: EvaluationReport, rows: Int, batch: Int, runDirectory: RunDirectory) throws
        -> FigureGrid?
    {
        guard let setup = evaluation.setup else { return nil }
        let opened = try CheckpointModel(
            checkpoint: setup.checkpoint, dataset: setup.dataset, imageCount: setup.imageCount,
            batch: batch, world: nil, reportDataset: false)
        let side = opened.side
        let model = opened.model
        guard side == setup.side else {
            throw CommandFailure(
                "\(setup.checkpoint) has side \(side) but the evaluation was made at \(setup.side); evaluate it again")
        }
        let attributor = try Attributor(
            model: model, classifier: ExplainedClassifier(rawValue: setup.classifier) ?? .joint, communicator: nil)
        let methods = ExplanationMethod.resolve(
            try ExplanationMethod.parse(evaluation.methods.joined(separator: ","), side: side),
            side: side, attributor: attributor)
        let target = evaluation.perImage.filter { $0.scores.first?.hasTarget == true }.prefix(rows)
        let negative = evaluation.perImage.filter { $0.scores.first?.hasTarget == false }.prefix(rows)
        let unknown = evaluation.perImage.filter { $0.scores.first?.hasTarget == nil }.prefix(2 * rows)
        var gridRows: [FigureGrid.Row] = []
        for image in Array(target) + Array(negative) + Array(unknown) {
            let sample = try opened.data.load(index: image.index, side: side)
            let input = Tensor(shape: [1, 3, side, side], storage: sample.pixels)
            let e = model.explain(input: input).E.storage
            let maps = try methods.map { $0.normalised(try $0.rawMap(input, e, image.predicted)) }
            let name = { (c: Int) in evaluation.classes.indices.contains(c) ? evaluation.classes[c] : String(c) }
            gridRows.append(
                FigureGrid.Row(
                    caption: "image \(image.index): label \(name(image.label)), predicted \(name(image.predicted)) "
                        + String(format: "(p = %.3f)", image.probability),
                    image: sample.pixels, maps: maps, hasTarget: image.scores.first?.hasTarget))
        }
        return FigureGrid(
            side: side, methods: methods.map(\.name), rows: gridRows,
            note: "Maps as scored: the explainer's E as it is, post-hoc maps as |map| / max |map| per image; "
                + "panels upscaled ×\(RGBImage.scale(side: side)) by nearest neighbour.")
    }
}
