// `xcnn inspect CHECKPOINT`: what a checkpoint holds — where training stood, its configuration,
// and every tensor with its shape and a few statistics. Verifies the checksum on the way.
import ArgumentParser
import Foundation
import Training

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Print what a checkpoint holds (verifying its checksum)."
    )

    @Argument(help: "A .safetensors checkpoint written by xcnn train.")
    var checkpoint: String

    @Flag(help: "Only the cursor and configuration, not the tensors.")
    var summary = false

    func run() throws {
        let url = URL(fileURLWithPath: checkpoint)
        let loaded = try CheckpointFile.read(url)
        let cursor = loaded.cursor
        print("checkpoint \(url.path): checksum verified")
        let phaseText =
            cursor.phase.map {
                "phase \($0.rawValue), epoch \(cursor.epoch + 1), batch \(cursor.batchInEpoch) of the epoch"
            } ?? "finished"
        print("position: \(phaseText); global step \(cursor.globalStep)")
        print(
            "world size: \(cursor.worldSize); seed: \(cursor.seed) (data order and dropout are derived from it and the counters)"
        )
        if let best = cursor.bestValidationLoss {
            print(
                "best validation loss of the phase: \(String(format: "%.6f", best)) at epoch \(cursor.bestEpoch ?? 0)")
        }
        print("configuration: \(loaded.configuration)")
        print(
            "classes: "
                + (loaded.classes.map { $0.enumerated().map { "\($0.offset) \($0.element)" }.joined(separator: ", ") }
                    ?? "not stored (checkpoint written before class names were kept)"))
        let total = loaded.tensors.reduce(0) { $0 + $1.values.count }
        print(
            "tensors: \(loaded.tensors.count), \(total) values (\(String(format: "%.1f", Double(total) * 4 / 1_048_576)) MB)"
        )
        guard !summary else { return }
        for tensor in loaded.tensors {
            let values = tensor.values
            let minimum = values.min() ?? 0
            let maximum = values.max() ?? 0
            let mean = values.isEmpty ? 0 : values.reduce(0.0) { $0 + Double($1) } / Double(values.count)
            print(
                "  \(tensor.name) \(tensor.shape) min \(String(format: "%.4g", minimum)) max \(String(format: "%.4g", maximum)) mean \(String(format: "%.4g", mean))"
            )
        }
    }
}
