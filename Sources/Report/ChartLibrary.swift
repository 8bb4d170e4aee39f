// Chart.js (chartjs.org, MIT), the library that draws the report's curves, read from Debian's
// libjs-chart.js at report time and embedded in the page, so the page needs no network when it opens.
// Chosen over plotly (Debian ships its 8.6 MB unminified build; Chart.js is 0.2 MB) and over
// matplotlib through a script (a Python dependency at report time): one small, well-kept file.
import Foundation

public struct ChartLibrary {
    /// Where Debian's libjs-chart.js (3.9) puts the minified UMD build.
    public static let debianPath = "/usr/share/javascript/chart.js/chart.min.js"

    /// The library's source, ready to embed.
    public let source: String
    /// The version from its banner ("3.9.1"), or "unknown".
    public let version: String

    /// Reads the library from `path` (default: Debian's, or $XCNN_CHART_JS). Errors name the file and
    /// what to install.
    public init(path: String? = nil) throws {
        let file = path ?? ProcessInfo.processInfo.environment["XCNN_CHART_JS"] ?? Self.debianPath
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ReportError(
                file,
                "cannot read Chart.js, which draws the report's curves: install Debian's libjs-chart.js "
                    + "(scripts/install-deps does) or give its chart.min.js with --chart-js")
        }
        let text = String(decoding: data, as: UTF8.self)
        guard text.contains("Chart.js") && text.count > 10_000 else {
            throw ReportError(file, "not a Chart.js build (no Chart.js banner, \(data.count) bytes)")
        }
        guard text.range(of: "</script", options: .caseInsensitive) == nil else {
            throw ReportError(file, "holds \"</script\", which would end the page's script element early")
        }
        source = text
        let banner = text.range(of: #"Chart\.js v([0-9.]+)"#, options: .regularExpression).map { String(text[$0]) }
        version = banner.map { String($0.dropFirst("Chart.js v".count)) } ?? "unknown"
    }

    /// Draws every <canvas data-chart="ID"> from the JSON block with that id (a Chart.js configuration),
    /// and marks the canvas data-rendered="yes" once drawn.
    public static let renderScript = """
        document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
          var config = JSON.parse(document.getElementById(canvas.dataset.chart).textContent);
          new Chart(canvas, config);
          canvas.dataset.rendered = "yes";
        });
        """

    /// A canvas for the configuration stored in the JSON block `id`.
    public static func canvas(id: String, width: Int = 460, height: Int = 260) -> String {
        "<canvas data-chart=\"\(HTMLDocument.escape(id))\" width=\"\(width)\" height=\"\(height)\"></canvas>"
    }

    /// A line chart's configuration: one dataset per series of (x, y) points, a linear x axis, no
    /// animation (the page is drawn once, the same every time) and a fixed size.
    public static func lineChart(
        title: String, xLabel: String, yLabel: String,
        series: [(label: String, points: [(Double, Double)], colour: String, dashed: Bool)],
        yRange: ClosedRange<Double>? = nil
    ) -> [String: Any] {
        var y: [String: Any] = ["title": ["display": true, "text": yLabel]]
        if let yRange {
            y["min"] = yRange.lowerBound
            y["max"] = yRange.upperBound
        }
        return [
            "type": "line",
            "data": [
                "datasets": series.map { s -> [String: Any] in
                    var dataset: [String: Any] = [
                        "label": s.label, "data": s.points.map { ["x": $0.0, "y": $0.1] },
                        "borderColor": s.colour, "backgroundColor": s.colour, "pointRadius": 2,
                        "borderWidth": 1.5,
                    ]
                    if s.dashed { dataset["borderDash"] = [6, 4] }
                    return dataset
                }
            ],
            "options": [
                "responsive": false, "animation": false,
                "plugins": ["title": ["display": true, "text": title]],
                "scales": ["x": ["type": "linear", "title": ["display": true, "text": xLabel]], "y": y],
            ] as [String: Any],
        ]
    }
}
