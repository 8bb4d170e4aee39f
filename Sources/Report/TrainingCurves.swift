// The training curves of a run from its metrics.csv (one row per epoch, written by the trainer):
// per phase, loss and accuracy on the training batches and on the validation split, as Chart.js
// configurations.
import Foundation
import Training

public struct TrainingCurves: Equatable, Sendable {
    /// metrics.csv's rows, one per epoch (Training's own row type).
    public var rows: [EpochMetrics]

    /// Columns read by name, so later columns may be added to the file.
    static let required = [
        "phase", "epoch", "global_step", "loss", "accuracy", "val_loss", "val_accuracy", "images_per_s",
        "allreduce_share", "seconds",
    ]

    /// Parses metrics.csv text; `source` names the file in errors (a missing column, a field that is not
    /// a number, with its line).
    public init(csv: String, source: String) throws {
        let lines = csv.split(whereSeparator: \.isNewline).map(String.init).filter { !$0.isEmpty }
        guard let header = lines.first else { throw ReportError(source, "empty file, expected a metrics.csv header") }
        let names = header.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        var column: [String: Int] = [:]
        for name in Self.required {
            guard let i = names.firstIndex(of: name) else {
                throw ReportError(source, "no column \(name) in the header (\(header))")
            }
            column[name] = i
        }
        // Written since the wait was measured apart (issue 12); older files, and rows kept from
        // before a resume, have no field for it.
        let waitColumn = names.firstIndex(of: "wait_share")
        rows = try lines.dropFirst().enumerated().map { offset, line in
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            func value(_ name: String) throws -> Double {
                let i = column[name]!
                guard i < fields.count, let v = Double(fields[i]) else {
                    throw ReportError("\(source) line \(offset + 2)", "\(name) is not a number (\(line))")
                }
                return v
            }
            func integer(_ name: String) throws -> Int {
                let v = try value(name)
                guard v == v.rounded(), abs(v) < 1e15 else {
                    throw ReportError("\(source) line \(offset + 2)", "\(name) is not a whole number (\(line))")
                }
                return Int(v)
            }
            return EpochMetrics(
                phase: try integer("phase"), epoch: try integer("epoch"), globalStep: try integer("global_step"),
                loss: try value("loss"), accuracy: try value("accuracy"), validationLoss: try value("val_loss"),
                validationAccuracy: try value("val_accuracy"), imagesPerSecond: try value("images_per_s"),
                communicationShare: try value("allreduce_share"),
                waitShare: waitColumn.flatMap { $0 < fields.count ? Double(fields[$0]) : nil },
                seconds: try value("seconds"))
        }
    }

    /// Phases that have at least one row, in order.
    public var phases: [Int] { Array(Set(rows.map(\.phase))).sorted() }

    static let trainColour = "#1f77b4", validationColour = "#ff7f0e"

    /// Two Chart.js configurations per phase (loss, accuracy), x = the phase's epoch, training solid and
    /// validation dashed. Non-finite values are left out of the lines (a chart cannot draw them).
    public func charts() -> [(phase: Int, loss: [String: Any], accuracy: [String: Any])] {
        phases.map { phase in
            let mine = rows.filter { $0.phase == phase }
            func points(_ value: (EpochMetrics) -> Double) -> [(Double, Double)] {
                mine.map { (Double($0.epoch), value($0)) }.filter { $0.1.isFinite }
            }
            let loss = ChartLibrary.lineChart(
                title: "phase \(phase): loss", xLabel: "epoch", yLabel: "loss",
                series: [
                    ("training", points(\.loss), Self.trainColour, false),
                    ("validation", points(\.validationLoss), Self.validationColour, true),
                ])
            let accuracy = ChartLibrary.lineChart(
                title: "phase \(phase): accuracy", xLabel: "epoch", yLabel: "accuracy",
                series: [
                    ("training", points(\.accuracy), Self.trainColour, false),
                    ("validation", points(\.validationAccuracy), Self.validationColour, true),
                ],
                yRange: 0...1)
            return (phase, loss, accuracy)
        }
    }
}
