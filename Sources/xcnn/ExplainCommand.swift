// `xcnn explain`: the paper's figure per image (original | explanation | explanation ≥ 0.75 | colour
// bar, each panel at least 224 px) as PNG, the predicted class by name with its probability and the
// label, and — where a target mask exists — how well E points at it; OUTPUT/index.html shows every
// figure with that text (Report's ExplanationPage).
import ArgumentParser
import Attribution
import Datasets
import Foundation
import Kernels
import Network
import Report
import Training

struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Write explanation figures for images or validation samples from a checkpoint."
    )

    @Option(help: "Checkpoint (.safetensors) written by xcnn train, e.g. RUN/checkpoints/phase3-best.safetensors.")
    var checkpoint: String
    @Option(help: "Folder for the figures and explanations.csv.")
    var output = "explanations"
    @Option(help: "Explain the first N images of the run's validation split.")
    var validation: Int?
    @Option(help: "Explain these dataset indices (comma-separated) of the run's dataset.")
    var indices: String?
    @Option(
        help: "Most pixels (width × height) decoded per image (default: the run's setting, else Pillow's 89478485).")
    var maxImagePixels: Int?
    @Argument(help: "Image files (PNG or JPEG) to explain.")
    var images: [String] = []

    func validate() throws {
        if images.isEmpty && validation == nil && indices == nil {
            throw ValidationError("give image files, --validation N or --indices I,J,…")
        }
        if let validation, validation < 1 {
            throw ValidationError("--validation must be at least 1, got \(validation)")
        }
        if let maxImagePixels, maxImagePixels < 1 {
            throw ValidationError("--max-image-pixels must be at least 1, got \(maxImagePixels)")
        }
    }

    struct Item {
        var name: String
        var pixels: [Float]
        var label: Int?
        var targetMask: [Float]?
    }

    func run() throws {
        _ = try BLASSetup.configure()
        let loaded = try CheckpointFile.read(URL(fileURLWithPath: checkpoint))
        var configuration = try TrainingConfiguration(json: Data(loaded.configuration.utf8), source: checkpoint)
        if let maxImagePixels { configuration.maxImagePixels = maxImagePixels }
        try configuration.validate()
        let model = try configuration.makeModel(classes: loaded.classCount(source: checkpoint), batchCapacity: 1)
        try ModelState.loadWeights(
            loaded, parameters: &model.parameters, buffers: &model.buffers, model: model, source: checkpoint)
        let side = configuration.side
        // Classes by name: the checkpoint's (stored since names were kept), else the run's dataset
        // when it is opened, else the index.
        var classes = loaded.classes

        var items: [Item] = []
        for path in images {
            let image = try ImageCodec.decode(path: path, limits: configuration.imageLimits)
            items.append(
                Item(
                    name: URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent,
                    pixels: ImageResize.bilinear(rgb: image.rgb, width: image.width, height: image.height, side: side)))
        }
        if validation != nil || indices != nil {
            let dataset = try configuration.openDataset()
            for line in dataset.reportLines() { FileHandle.standardError.write(Data("warning: \(line)\n".utf8)) }
            if classes == nil && dataset.classes.count == model.configuration.classes { classes = dataset.classes }
            var chosen: [Int] = []
            if let validation { chosen += dataset.split.validation.prefix(validation) }
            if let indices {
                for part in indices.split(separator: ",") {
                    guard let index = Int(part.trimmingCharacters(in: .whitespaces)), index >= 0, index < dataset.count
                    else {
                        throw CommandFailure.usage(
                            "invalid --indices \(indices): \(part) is not an index below \(dataset.count)")
                    }
                    chosen.append(index)
                }
            }
            for index in chosen {
                let sample = try dataset.load(index: index, side: side)
                items.append(
                    Item(
                        name: String(format: "sample%05d", index), pixels: sample.pixels, label: sample.label,
                        targetMask: sample.targetMask))
            }
        }

        let directory = URL(fileURLWithPath: output, isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        func name(_ label: Int) -> String {
            classes.map { $0.indices.contains(label) ? $0[label] : String(label) } ?? String(label)
        }
        var csv = ["image,predicted_class,probability,label,active_share,energy_inside,pointing_hit,pompom,iou"]
        var summary = ExplanationSummary()
        var entries: [ExplanationPage.Entry] = []
        for item in items {
            let (e, probabilities) = model.explain(input: Tensor(shape: [1, 3, side, side], storage: item.pixels))
            let predicted = probabilities.storage.indices.max { probabilities.storage[$0] < probabilities.storage[$1] }!
            let figure = ExplanationFigure.render(image: item.pixels, explanation: e.storage, side: side)
            let path = directory.appendingPathComponent("\(item.name).png").path
            try ImageCodec.writePNG(
                path: path, width: figure.width, height: figure.height, channels: 3, pixels: figure.pixels)
            var line =
                "\(item.name): predicted \(name(predicted)) (p = \(String(format: "%.3f", probabilities.storage[predicted])))"
            var row = [
                item.name, name(predicted), String(format: "%.4f", probabilities.storage[predicted]),
                item.label.map(name) ?? "",
            ]
            if let label = item.label { line += ", label \(name(label))" }
            if let mask = item.targetMask, mask.contains(where: { $0 > 0.5 }) {
                let s = ExplanationMetrics.score(explanation: e.storage, targetMask: mask)
                func f(_ v: Double?) -> String { v.map { String(format: "%.3f", $0) } ?? "" }
                row += [f(s.activeShare), f(s.energyInside), f(s.pointingHit), f(s.pompom), f(s.iou)]
                line +=
                    s.energyInside == nil
                    ? "; E is zero everywhere"
                    : "; energy inside target \(f(s.energyInside)), IoU \(f(s.iou))"
                summary.add(s, targetArea: ExplanationSummary.targetArea(mask))
            } else {
                let active =
                    Double(e.storage.filter { $0 >= ExplanationMetrics.threshold }.count) / Double(e.storage.count)
                row += [String(format: "%.3f", active), "", "", "", ""]
                // A file given by path has no mask: it is neither a target image nor a known negative.
                if item.targetMask != nil { summary.add(activeShareWithoutTarget: active) }
            }
            // RFC 4180 quoting: folder names may hold commas or quotes.
            csv.append(
                row.map {
                    $0.contains(where: { ",\"\n".contains($0) })
                        ? "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : $0
                }
                .joined(separator: ","))
            print("\(line) → \(path)")
            let prefix = "\(item.name): "
            entries.append(
                ExplanationPage.Entry(
                    name: item.name,
                    figure: ExplanationFigure.render(
                        image: item.pixels, explanation: e.storage, side: side, colourBar: false),
                    caption: line.hasPrefix(prefix) ? String(line.dropFirst(prefix.count)) : line))
        }
        var summaryLines: [String] = []
        if let energy = summary.meanEnergyInside, let area = summary.meanTargetArea,
            let pointing = summary.pointingGame,
            let iou = summary.meanIoU
        {
            // A uniform map puts the target's share of the image inside it: the chance level.
            summaryLines.append(
                String(
                    format: "%d image(s) with the target: energy inside target %.3f (a uniform map: %.3f), "
                        + "pointing game %.2f, IoU %.3f", summary.targets, energy, area, pointing, iou))
        }
        if let active = summary.meanEmptyActiveShare, summary.targets > 0 {
            summaryLines.append(
                String(
                    format: "%d image(s) without it: active share (E ≥ %.2f) %.3f", summary.empties,
                    ExplanationMetrics.threshold, active))
        }
        for line in summaryLines { print(line) }
        let page = ExplanationPage(title: "xcnn explain: \(checkpoint)", entries: entries, summary: summaryLines)
        let pagePath = directory.appendingPathComponent("index.html")
        try Data(try page.html().utf8).write(to: pagePath)
        print("figures with their labels: \(pagePath.path)")
        try Data((csv.joined(separator: "\n") + "\n").utf8).write(
            to: directory.appendingPathComponent("explanations.csv"))
    }
}
