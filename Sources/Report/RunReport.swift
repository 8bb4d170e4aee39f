// The page `xcnn report RUN` writes to RUN/report/index.html: the configuration, the training curves
// per phase, the evaluation table with its deletion curves, and the Fig. 6 grid, in one file that
// opens offline.
import Attribution
import Foundation

public struct RunReport {
    /// The run directory, as named on the page.
    public var runDirectory: String
    /// config.json's text.
    public var configuration: String
    public var curves: TrainingCurves
    public var evaluation: EvaluationReport?
    /// Where the evaluation was read from (shown on the page).
    public var evaluationSource: String?
    public var grid: FigureGrid?

    public init(
        runDirectory: String, configuration: String, curves: TrainingCurves, evaluation: EvaluationReport?,
        evaluationSource: String?, grid: FigureGrid?
    ) {
        self.runDirectory = runDirectory
        self.configuration = configuration
        self.curves = curves
        self.evaluation = evaluation
        self.evaluationSource = evaluationSource
        self.grid = grid
    }

    /// The page. Errors: config.json that is not a JSON object (named), a picture that cannot be encoded.
    public func html(chart: ChartLibrary) throws -> String {
        var page = HTMLDocument(title: "xcnn run \(runDirectory)")
        page.append(
            "<p class=\"note\">Written by <code>xcnn report</code>. Curves drawn with Chart.js \(HTMLDocument.escape(chart.version)) "
                + "(embedded); maps in matplotlib's viridis.</p>")
        page.append(try configurationSection())
        page.append(try curvesSection())
        if let evaluation {
            page.append(try evaluationSection(evaluation))
        } else {
            page.append("<h2>Evaluation</h2><p class=\"note\">No evaluation.</p>")
        }
        if let grid {
            page.append("<h2 id=\"grid\">Explanations (as the paper's Fig. 6)</h2>")
            page.append(try grid.html())
        }
        page.scripts = [chart.source, ChartLibrary.renderScript]
        return page.render()
    }

    func configurationSection() throws -> String {
        guard let object = try? JSONSerialization.jsonObject(with: Data(configuration.utf8)) as? [String: Any] else {
            throw ReportError("\(runDirectory)/config.json", "not a JSON object")
        }
        let rows = try object.keys.sorted().map { key -> [String] in
            let value = object[key]!
            let text: String
            if let string = value as? String {
                text = string
            } else {
                let data = try JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys])
                text = String(decoding: data, as: UTF8.self)
            }
            return [HTMLDocument.escape(key), HTMLDocument.escape(text)]
        }
        return "<h2>Configuration</h2>"
            + HTMLDocument.table(header: ["key", "value"], rows: rows, className: "configuration")
    }

    func curvesSection() throws -> String {
        let charts = curves.charts()
        guard !charts.isEmpty else {
            return "<h2>Training curves</h2><p class=\"note\">metrics.csv has no epoch yet.</p>"
        }
        var html =
            "<h2>Training curves</h2><p class=\"note\">Per phase and epoch, from metrics.csv: training batches "
            + "(solid) and the validation split (dashed).</p>"
        for chart in charts {
            let loss = "curve-phase\(chart.phase)-loss"
            let accuracy = "curve-phase\(chart.phase)-accuracy"
            html +=
                "<div class=\"charts\" data-phase=\"\(chart.phase)\">"
                + ChartLibrary.canvas(id: loss) + ChartLibrary.canvas(id: accuracy) + "</div>"
                + (try HTMLDocument.jsonBlock(id: loss, chart.loss))
                + (try HTMLDocument.jsonBlock(id: accuracy, chart.accuracy))
        }
        return html
    }

    func evaluationSection(_ evaluation: EvaluationReport) throws -> String {
        var html = "<h2 id=\"evaluation\">Evaluation</h2>"
        if let setup = evaluation.setup {
            html +=
                "<p class=\"note\">\(HTMLDocument.escape("Checkpoint \(setup.checkpoint), \(setup.dataset), \(setup.split) split, side \(setup.side); post-hoc methods explain the \(setup.classifier) classifier's predicted-class logit and are scored as |map| / max |map| per image."))</p>"
        }
        if let evaluationSource { html += "<p class=\"note\">From \(HTMLDocument.escape(evaluationSource)).</p>" }
        html += "<p>\(HTMLDocument.escape(EvaluationTable.accuracyLine(evaluation)))</p>"
        html += EvaluationTable.html(evaluation, side: evaluation.setup?.side ?? 224)
        if let note = EvaluationTable.deletionNote(deletionSteps: evaluation.setup?.deletionSteps ?? 0) {
            html += "<p class=\"note\">\(HTMLDocument.escape(note))</p>"
        }
        let palette = [
            "#440154", "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
            "#bcbd22", "#17becf",
        ]
        let series = evaluation.summaries.enumerated().compactMap {
            m, summary -> (String, [(Double, Double)], String, Bool)? in
            guard let curve = summary.deletionCurve, curve.count > 1 else { return nil }
            let points = curve.enumerated().map { (Double($0.offset) / Double(curve.count - 1), $0.element) }.filter {
                $0.1.isFinite
            }
            return (summary.method, points, palette[m % palette.count], false)
        }
        if !series.isEmpty {
            let config = ChartLibrary.lineChart(
                title: "deletion: mean p of the predicted class", xLabel: "share of patches replaced",
                yLabel: "p", series: series, yRange: 0...1)
            html +=
                "<div class=\"charts\">" + ChartLibrary.canvas(id: "deletion", width: 640, height: 320) + "</div>"
                + (try HTMLDocument.jsonBlock(id: "deletion", config))
        }
        return html
    }
}
