// The evaluation table: accuracy per class by name and one column per explanation method, as the
// text `xcnn evaluate` prints (with one `summary` line per method in key=value form for scripts;
// scripts/sweep reads it) and as the HTML table of `xcnn report`. Both come from the same rows.
import Attribution
import Foundation

public enum EvaluationTable {
    /// "accuracy 0.950 over 20 images (no-triangle 1.000 of 10, triangle 0.900 of 10)".
    public static func accuracyLine(_ report: EvaluationReport) -> String {
        let perClass = report.perClass.map { c in
            "\(c.name) " + (c.accuracy.map { String(format: "%.3f", $0) } ?? "–") + " of \(c.images)"
        }
        return String(format: "accuracy %.3f over %d images (", report.accuracy, report.images)
            + perClass.joined(separator: ", ") + ")"
    }

    static func f(_ value: Double?, _ digits: Int = 3) -> String {
        value.map { String(format: "%.\(digits)f", $0) } ?? "–"
    }

    /// The table's rows: a label and each method's cell.
    public static func rows(side: Int) -> [(label: String, cell: (MethodSummary) -> String)] {
        func pair(_ value: Double?, _ chance: Double?) -> String { value == nil ? "–" : "\(f(value)) (\(f(chance)))" }
        let tolerance = String(format: "%.1f", ExplanationMetrics.pointingTolerance(side: side))
        return [
            ("images with the target / without", { "\($0.targetImages) / \($0.negativeImages)" }),
            ("energy in box (uniform map)", { pair($0.energyInBox, $0.uniformInBox) }),
            ("energy in mask ±\(MapScores.maskDilation) px (uniform map)", { pair($0.energyInMask, $0.uniformInMask) }),
            ("pointing game, tolerance \(tolerance) px", { f($0.pointingGame, 2) }),
            ("IoU of E ≥ 0.75 with the mask", { f($0.iou) }),
            (
                "POMPOM (E ≥ 0.75 outside the mask)",
                { $0.pompom == nil ? "–" : "\(f($0.pompom)) (\($0.pompomImages) img)" }
            ),
            (
                "energy on other shapes' outlines (uniform map)",
                { pair($0.energyOnDistractors, $0.uniformOnDistractors) }
            ),
            ("without target: active share (E ≥ 0.75)", { f($0.negativesActiveShare) }),
            ("without target: mean E", { f($0.negativesMeanE) }),
            ("all images: active share / mean E", { "\(f($0.activeShare)) / \(f($0.meanE))" }),
            ("deletion AUC (lower: more faithful)", { f($0.deletionAUC) }),
            ("deletion AOPC (higher: more faithful)", { f($0.aopc) }),
        ]
    }

    /// How deletion was run, one sentence (nil without deletion).
    public static func deletionNote(deletionSteps: Int) -> String? {
        guard deletionSteps > 0 else { return nil }
        return
            "deletion: the most-explained \(Deletion.patchSide)×\(Deletion.patchSide) patches replaced by the image's mean colour "
            + "in \(deletionSteps) steps; p of the predicted class (AOPC: Samek et al. 2017)"
    }

    /// The text `xcnn evaluate` prints.
    public static func lines(_ report: EvaluationReport, side: Int, deletionSteps: Int) -> [String] {
        var lines = [accuracyLine(report)]
        let rows = rows(side: side)
        let labelWidth = rows.map { $0.label.count }.max()! + 2
        let cells = report.summaries.map { summary in rows.map { $0.cell(summary) } }
        let widths = report.summaries.indices.map { m in
            max(report.summaries[m].method.count, cells[m].map(\.count).max()!) + 2
        }
        func padded(_ text: String, _ width: Int) -> String {
            text + String(repeating: " ", count: max(0, width - text.count))
        }
        lines.append(
            padded("", labelWidth)
                + report.summaries.indices.map { padded(report.summaries[$0].method, widths[$0]) }.joined())
        for (r, row) in rows.enumerated() {
            lines.append(
                padded(row.label, labelWidth)
                    + report.summaries.indices.map { padded(cells[$0][r], widths[$0]) }.joined())
        }
        if let note = deletionNote(deletionSteps: deletionSteps) { lines.append(note) }
        for s in report.summaries {
            lines.append(
                "summary method=\(s.method) accuracy=\(f(report.accuracy)) energy_inside=\(f(s.energyInBox)) "
                    + "uniform=\(f(s.uniformInBox)) energy_inside_mask=\(f(s.energyInMask)) pointing_game=\(f(s.pointingGame, 2)) "
                    + "iou=\(f(s.iou)) pompom=\(f(s.pompom)) negatives_active=\(f(s.negativesActiveShare)) "
                    + "deletion_auc=\(f(s.deletionAUC)) aopc=\(f(s.aopc)) mean_e=\(f(s.meanE, 4)) "
                    + "energy_on_distractors=\(f(s.energyOnDistractors)) uniform_on_distractors=\(f(s.uniformOnDistractors))"
            )
        }
        return lines
    }
}

extension EvaluationTable {
    /// The same table as HTML: one column per method, each cell marked data-method="NAME".
    public static func html(_ report: EvaluationReport, side: Int) -> String {
        let methods = report.summaries.map(\.method)
        let attributes = [""] + methods.map { "data-method=\"\(HTMLDocument.escape($0))\"" }
        let rows = rows(side: side).map { row in
            [HTMLDocument.escape(row.label)] + report.summaries.map { HTMLDocument.escape(row.cell($0)) }
        }
        return HTMLDocument.table(
            header: [""] + methods.map(HTMLDocument.escape), rows: rows, columnAttributes: attributes,
            className: "numbers evaluation")
    }
}
