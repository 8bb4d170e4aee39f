// metrics.csv in the run directory: one row per epoch, rewritten on resume so that it never holds
// rows from beyond the checkpoint the run continues from.
import Foundation

public struct EpochMetrics: Sendable, Equatable {
    public var phase: Int
    public var epoch: Int
    public var globalStep: Int
    public var loss: Double
    public var accuracy: Double
    public var validationLoss: Double
    public var validationAccuracy: Double
    public var imagesPerSecond: Double
    /// Share of training-step time spent in collectives (allreduce of metrics and gradients),
    /// including `waitShare`.
    public var communicationShare: Double
    /// The part of `communicationShare` spent waiting for the slowest rank before the collectives
    /// (load imbalance, a descheduled rank); the rest moved data. Nil in files written before it
    /// was measured.
    public var waitShare: Double?
    public var seconds: Double

    public init(
        phase: Int, epoch: Int, globalStep: Int, loss: Double, accuracy: Double, validationLoss: Double,
        validationAccuracy: Double, imagesPerSecond: Double, communicationShare: Double, waitShare: Double?,
        seconds: Double
    ) {
        self.phase = phase
        self.epoch = epoch
        self.globalStep = globalStep
        self.loss = loss
        self.accuracy = accuracy
        self.validationLoss = validationLoss
        self.validationAccuracy = validationAccuracy
        self.imagesPerSecond = imagesPerSecond
        self.communicationShare = communicationShare
        self.waitShare = waitShare
        self.seconds = seconds
    }
}

public struct MetricsLog {
    // wait_share comes last so that readers counting columns (scripts/bench-training) keep working.
    static let header =
        "phase,epoch,global_step,loss,accuracy,val_loss,val_accuracy,images_per_s,allreduce_share,seconds,wait_share"
    public let url: URL

    public init(url: URL) { self.url = url }

    /// Keeps the header and the rows up to `globalStep` (all rows when nil), creating the file if needed.
    public func truncate(afterGlobalStep globalStep: Int?) throws {
        var lines = [Self.header]
        if let text = try? String(contentsOf: url, encoding: .utf8) {
            for line in text.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: ",")
                guard fields.count >= 3, let step = Int(fields[2]) else { continue }
                if globalStep == nil || step <= globalStep! { lines.append(String(line)) }
            }
        }
        try write(lines.joined(separator: "\n") + "\n")
    }

    public func append(_ metrics: EpochMetrics) throws {
        let row = [
            String(metrics.phase), String(metrics.epoch), String(metrics.globalStep),
            format(metrics.loss), format(metrics.accuracy), format(metrics.validationLoss),
            format(metrics.validationAccuracy), String(format: "%.3f", metrics.imagesPerSecond),
            String(format: "%.4f", metrics.communicationShare),
            String(format: "%.3f", metrics.seconds),
            metrics.waitShare.map { String(format: "%.4f", $0) } ?? "",
        ].joined(separator: ",")
        let existing = (try? String(contentsOf: url, encoding: .utf8)) ?? Self.header + "\n"
        try write(existing + row + "\n")
    }

    private func format(_ value: Double) -> String { String(format: "%.6g", value) }

    private func write(_ text: String) throws {
        do {
            try Data(text.utf8).write(to: url, options: .atomic)
        } catch {
            throw TrainingError("cannot write \(url.path): \(error.localizedDescription)")
        }
    }
}
