// `xcnn diagnose`: what the explainer head does in a checkpoint, over validation images, in
// inference mode (BN running statistics) and training mode (batch statistics, nothing updated):
// mean E, share of pixels on and active, scores against the target, and d(CE)/dE on and off it.
import ArgumentParser
import Attribution
import Datasets
import Foundation
import Kernels
import Network
import Training

struct DiagnoseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diagnose",
        abstract: "E statistics of checkpoints in inference and training mode, and where d(CE)/dE points."
    )
    @Argument(help: "Checkpoints (.safetensors) written by xcnn train.") var checkpoints: [String]
    @Option(help: "Validation images to use.") var count = 96
    @Option(help: "Images per forward.") var batch = 8

    func run() throws {
        _ = try BLASSetup.configure()
        for path in checkpoints { try one(path) }
    }

    func one(_ checkpoint: String) throws {
        let loaded = try CheckpointFile.read(URL(fileURLWithPath: checkpoint))
        let configuration = try TrainingConfiguration(json: Data(loaded.configuration.utf8), source: checkpoint)
        let classes = try loaded.classCount(source: checkpoint)
        let model = try configuration.makeModel(classes: classes, batchCapacity: batch)
        try ModelState.loadWeights(
            loaded, parameters: &model.parameters, buffers: &model.buffers, model: model, source: checkpoint)
        let side = configuration.side
        let s2 = side * side
        let dataset = try configuration.openDataset()
        for line in dataset.reportLines() { FileHandle.standardError.write(Data("warning: \(line)\n".utf8)) }
        let chosen = Array(dataset.split.validation.prefix(count))
        let g = model.layout.entries.first { $0.name == "explainer.head.bn.weight" }!.range.lowerBound
        let b = model.layout.entries.first { $0.name == "explainer.head.bn.bias" }!.range.lowerBound
        print("== \(checkpoint)  step \(loaded.cursor.globalStep)")
        print(
            String(
                format: "BN gamma %.4f beta %.4f running mean %.4f var %.5f", model.parameters[g], model.parameters[b],
                model.buffers[0], model.buffers[1]))
        try classifierFeatures(model: model, dataset: dataset, indices: chosen, side: side)
        try classifierShown(model: model, dataset: dataset, indices: chosen, side: side)
        struct Acc {
            var n = 0.0, meanE = 0.0, on = 0.0, act = 0.0, energy = 0.0, iou = 0.0, hit = 0.0, scored = 0.0,
                chance = 0.0, correct = 0.0
            var gIn = 0.0, gOut = 0.0, nIn = 0.0, nOut = 0.0
        }
        var acc = [[Acc]](repeating: [Acc](repeating: Acc(), count: classes), count: 2)  // [mode][label]
        var batchStats: [(Float, Float)] = []
        // Σ |E_inference − E_training| over every pixel of every image, and the pixel count.
        var modeDifference = 0.0
        var modePixels = 0.0
        var inferenceE: [Float] = []
        let saved = model.buffers
        try forEachBatch(dataset: dataset, indices: chosen, side: side) { samples, input in
            let labels = samples.map(\.label)
            for mode in 0..<2 {
                var e: [Float]
                var probs: [Float]
                var dE: [Float]? = nil
                if mode == 0 {
                    let r = model.evaluate(
                        input: input, labels: labels, boxMask: nil, phase: .joint, loss: LossWeights())
                    e = model.activation("explainer.E")!.storage
                    probs = r.probabilities.storage
                    inferenceE = e
                } else {
                    // Cross-entropy only, so dE is the classifier's wish; the BN running statistics
                    // this step updates are put back, and no optimizer runs.
                    let r = model.trainingStep(
                        input: input, labels: labels, boxMask: nil, phase: .joint,
                        loss: LossWeights(), dropoutSeed: 1)
                    e = model.activation("explainer.E")!.storage
                    probs = r.probabilities.storage
                    dE = model.activationGradient("explainer.E")!.storage
                    for j in e.indices { modeDifference += Double(abs(e[j] - inferenceE[j])) }
                    modePixels += Double(e.count)
                    batchStats.append(
                        (
                            model.activation("explainer.head.bn.batch_mean")!.storage[0],
                            model.activation("explainer.head.bn.batch_var")!.storage[0]
                        ))
                    model.buffers = saved
                }
                for (i, sample) in samples.enumerated() {
                    let img = Array(e[(i * s2)..<((i + 1) * s2)])
                    var a = acc[mode][sample.label]
                    a.n += 1
                    a.meanE += Double(img.reduce(0, +)) / Double(s2)
                    a.on += Double(img.filter { $0 > 0 }.count) / Double(s2)
                    a.act += Double(img.filter { $0 >= 0.75 }.count) / Double(s2)
                    let row = probs[(i * classes)..<((i + 1) * classes)]
                    let predicted = row.indices.max { row[$0] < row[$1] }! - i * classes
                    if predicted == sample.label { a.correct += 1 }
                    if let mask = sample.targetMask, sample.label == 1 {
                        let sc = ExplanationMetrics.score(explanation: img, targetMask: mask)
                        a.chance += Double(mask.filter { $0 > 0.5 }.count) / Double(s2)
                        if let en = sc.energyInside {
                            a.energy += en
                            a.hit += sc.pointingHit!
                            a.scored += 1
                        }
                        a.iou += sc.iou ?? 0
                        if let dE {
                            for j in 0..<s2 {
                                if mask[j] > 0.5 {
                                    a.gIn += Double(dE[i * s2 + j])
                                    a.nIn += 1
                                } else {
                                    a.gOut += Double(dE[i * s2 + j])
                                    a.nOut += 1
                                }
                            }
                        }
                    } else if let dE {
                        for j in 0..<s2 {
                            a.gOut += Double(dE[i * s2 + j])
                            a.nOut += 1
                        }
                    }
                    acc[mode][sample.label] = a
                }
            }
        }
        let bm = batchStats.map { Double($0.0) }.reduce(0, +) / Double(batchStats.count)
        let bv = batchStats.map { Double($0.1) }.reduce(0, +) / Double(batchStats.count)
        print(String(format: "head conv batch mean %.4f var %.5f (avg over val batches)", bm, bv))
        print(
            String(
                format: "mean |E_eval - E_train| %.4f over %.0f pixels of %d validation images",
                modeDifference / max(modePixels, 1),
                modePixels, chosen.count))
        for mode in 0..<2 {
            for label in (0..<classes).reversed() {
                let a = acc[mode][label]
                let names = loaded.classes ?? dataset.classes
                let name = names.indices.contains(label) ? names[label] : String(label)
                var line =
                    (mode == 0 ? "eval " : "train") + " \(name):"
                    + String(
                        format: " n %3.0f acc %.2f meanE %.4f E>0 %.3f E>=.75 %.3f", a.n,
                        a.correct / a.n, a.meanE / a.n, a.on / a.n, a.act / a.n)
                if label == 1 {
                    // Explicit Doubles: an integer literal here reaches the C varargs as an Int.
                    let energy: Double = a.scored > 0 ? a.energy / a.scored : 0.0
                    let hits: Double = a.scored > 0 ? a.hit / a.scored : 0.0
                    line += String(
                        format: " | energyIn %.3f (chance %.3f, %.0f scored) point %.2f IoU %.3f", energy,
                        a.chance / a.n, a.scored, hits, a.iou / a.n)
                }
                if mode == 1 {
                    let gi: Double = a.nIn > 0 ? a.gIn / a.nIn : 0
                    let go: Double = a.nOut > 0 ? a.gOut / a.nOut : 0
                    line += " | dCE/dE in " + String(format: "%.3e", gi) + " out " + String(format: "%.3e", go)
                }
                print(line)
            }
        }
    }

    /// Runs `body` on the images of `indices` in batches of `batch`: their samples and the input
    /// tensor [n, 3, S, S] they make.
    func forEachBatch(
        dataset: Dataset, indices: [Int], side: Int,
        _ body: (_ samples: [Sample], _ input: Tensor) throws -> Void
    ) throws {
        var offset = 0
        while offset < indices.count {
            let chunk = Array(indices[offset..<min(offset + batch, indices.count)])
            offset += chunk.count
            let samples = try chunk.map { try dataset.load(index: $0, side: side) }
            try body(samples, Batch(indices: chunk, samples: samples, side: side).input)
        }
    }
}
