// What `xcnn train` shows of a run: rank 0 redraws one progress line (`\r`) after every step when
// stderr is a terminal, and logs epoch lines and phase messages; the Trainer only reports them.
import Foundation
import Logging
import Network
import Training

final class TrainingProgress {
    let logger: Logger
    let rank: Int
    let worldSize: Int
    /// Whether this process draws the step line: rank 0, on a terminal.
    let drawsSteps: Bool
    private var lineShown = false

    init(logger: Logger, rank: Int, worldSize: Int) {
        self.logger = logger
        self.rank = rank
        self.worldSize = worldSize
        drawsSteps = rank == 0 && isatty(STDERR_FILENO) == 1
    }

    func handle(_ event: TrainingEvent) {
        if case .step(let progress) = event {
            guard drawsSteps else { return }
            let line = String(
                format: "\rphase %d epoch %d/%d step %d/%d  loss %.4f  acc %.3f  %.1f img/s",
                progress.phase.rawValue, progress.epoch, progress.epochs, progress.step,
                progress.stepsPerEpoch, progress.loss, progress.accuracy, progress.imagesPerSecond)
            FileHandle.standardError.write(Data(line.utf8))
            lineShown = true
            return
        }
        clearLine()
        switch event {
        case .step:
            break
        case .worldSizeChanged(let from, let to):
            if rank == 0 {
                logger.warning(
                    "resuming a run made on \(from) rank(s) with \(to): from here on the data order differs from the original run"
                )
            }
        case .epochEnded(let report):
            logger.info("\(epochLine(report))")
        case .phaseOneEndedEarly(let epoch, let epochs, let loss, let ratio, let firstEpochLoss):
            let start = Self.format(firstEpochLoss)
            logger.info(
                "phase 1 ends after epoch \(epoch) of \(epochs): training loss \(Self.format(loss)) ≤ \(ratio) × the first epoch's \(start) (--phase1-stop-loss-ratio)"
            )
        case .phaseFinished(let phase, let loss, let epoch):
            logger.info(
                "phase \(phase.rawValue) done: best val loss \(Self.format(loss)) at epoch \(epoch); continuing from those weights"
            )
        }
    }

    /// Where the run stopped before its end, and how to continue it.
    func stopped(_ ending: TrainingOutcome.Ending, run: RunDirectory) {
        clearLine()
        let resume = "continue with: xcnn train --resume \(run.url.path)"
        switch ending {
        case .finished:
            break
        case .stoppedAtStep(let step):
            logger.info("stopped at step \(step) (--stop-at-step); \(resume)")
        case .stoppedBySignal(let step, let signal):
            let what = signal.map(StopRequest.name) ?? "a stop signal (SIGTERM or SIGUSR1) on another rank"
            logger.warning("\(what): stopped after step \(step) with a checkpoint; \(resume)")
        }
    }

    /// Erases the progress line before a log line takes its place.
    func clearLine() {
        guard lineShown else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
        lineShown = false
    }

    func epochLine(_ report: EpochReport) -> String {
        let metrics = report.metrics
        return "phase \(metrics.phase) epoch \(metrics.epoch)/\(report.epochs)  loss \(Self.format(metrics.loss))"
            + "  acc \(String(format: "%.3f", metrics.accuracy))"
            + "  val loss \(Self.format(metrics.validationLoss))  val acc \(String(format: "%.3f", metrics.validationAccuracy))"
            + (report.improved ? " *" : "  ")
            + "  \(String(format: "%.1f", metrics.imagesPerSecond)) img/s"
            + (worldSize > 1 ? "  allreduce \(Self.communication(metrics))" : "")
            + "  ETA \(Self.duration(Double(report.remainingSteps) * report.secondsPerStep))"
    }

    static func format(_ value: Double) -> String { String(format: "%.4f", value) }

    /// "14.9% (wait 13.1%)": the collectives' share of the step, and how much of it was waiting for
    /// the slowest rank rather than moving data.
    static func communication(_ metrics: EpochMetrics) -> String {
        let total = String(format: "%.1f%%", 100 * metrics.communicationShare)
        guard let wait = metrics.waitShare else { return total }
        return total + String(format: " (wait %.1f%%)", 100 * wait)
    }

    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "?" }
        let total = Int(seconds.rounded())
        return total >= 3600
            ? "\(total / 3600)h\(String(format: "%02d", total % 3600 / 60))m"
            : "\(total / 60)m\(String(format: "%02d", total % 60))s"
    }
}
