// The report page: self-contained (no link or script from elsewhere), escaped, every method's column
// marked in the table and the grid, the charts' data blocks present, and Chart.js refused by name when
// it is missing or would break the page.
import Attribution
import Foundation
import Testing

@testable import Report

@Suite struct RunReportTests {
    static let fakeChart: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("xcnn-test-chart-\(getpid()).js")
        let source =
            "/*! Chart.js v9.9.9 */ window.Chart = function (canvas, config) {};"
            + String(repeating: " ", count: 10_000)
        try! Data(source.utf8).write(to: url)
        return url
    }()

    func report(methods: [String]) -> RunReport {
        let side = 4
        let metrics =
            "phase,epoch,global_step,loss,accuracy,val_loss,val_accuracy,images_per_s,allreduce_share,seconds\n"
            + "1,1,5,0.9,0.4,0.8,0.5,9,0,1\n2,1,10,0.7,0.6,0.75,0.55,9,0,2\n"
        let scores = MapScores(hasTarget: true, energyInBox: 0.5, uniformInBox: 0.1, activeShare: 0.2, meanE: 0.3)
        let images = [
            ImageEvaluation(index: 3, label: 1, predicted: 1, probability: 0.9, scores: methods.map { _ in scores })
        ]
        let evaluation = EvaluationReport(
            classes: ["no-<b>", "triangle"], methods: methods, images: images,
            setup: EvaluationSetup(
                checkpoint: "ck", dataset: "d", imageCount: nil, split: "validation",
                side: side, classifier: "joint", deletionSteps: 0))
        let row = FigureGrid.Row(
            caption: "image 3 <label>", image: [Float](repeating: 0.5, count: 3 * side * side),
            maps: methods.map { _ in [Float](repeating: 0.25, count: side * side) }, hasTarget: true)
        return RunReport(
            runDirectory: "runs/a&b", configuration: "{\"side\": 4, \"dataset\": \"synthetic:x\"}",
            curves: try! TrainingCurves(csv: metrics, source: "metrics.csv"), evaluation: evaluation,
            evaluationSource: "runs/a/evaluation/evaluation.json",
            grid: FigureGrid(side: side, methods: methods, rows: [row], note: "n"))
    }

    func count(_ needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }

    @Test func pageIsSelfContainedWithEveryMethodMarked() throws {
        let methods = ["explainer", "saliency", "grad-cam"]
        let html = try report(methods: methods).html(chart: ChartLibrary(path: Self.fakeChart.path))
        // Nothing loads from elsewhere: no src= or href= other than data: URIs.
        #expect(
            html.components(separatedBy: "src=\"").dropFirst().allSatisfy { $0.hasPrefix("data:image/png;base64,") })
        #expect(!html.contains("href=") && !html.contains("http://") && !html.contains("https://"))
        #expect(html.contains("window.Chart = function") && html.contains("Chart.js 9.9.9"))
        for method in methods {
            // The table's header and cells (12 rows), the grid's header and panel.
            #expect(count("data-method=\"\(method)\"", in: html) == 1 + 12 + 2, "method \(method)")
        }
        #expect(count("data-method=\"image\"", in: html) == 2)
        for id in ["curve-phase1-loss", "curve-phase1-accuracy", "curve-phase2-loss", "curve-phase2-accuracy"] {
            #expect(
                html.contains("<canvas data-chart=\"\(id)\"")
                    && html.contains("<script type=\"application/json\" id=\"\(id)\">"))
        }
        #expect(
            html.contains("xcnn run runs/a&amp;b") && html.contains("image 3 &lt;label&gt;")
                && html.contains("no-&lt;b&gt;"))
        #expect(html.contains("data-page-errors=\"0\"") && html.contains("data-colour-bar=\"viridis\""))
    }

    @Test func scriptDataCannotCloseItsElement() throws {
        let block = try HTMLDocument.jsonBlock(id: "x", ["text": "</script><script>alert(1)"])
        #expect(!block.dropLast("</script>".count).contains("</script"))
        #expect(HTMLDocument.escape("<a href=\"x\">&'") == "&lt;a href=&quot;x&quot;&gt;&amp;'")
    }

    @Test func chartLibraryProblemsAreNamed() throws {
        #expect(throws: ReportError.self) { try ChartLibrary(path: "/nonexistent/chart.min.js") }
        do {
            _ = try ChartLibrary(path: "/nonexistent/chart.min.js")
        } catch let error as ReportError {
            #expect(error.location == "/nonexistent/chart.min.js" && error.reason.contains("libjs-chart.js"))
        }
        let bad = FileManager.default.temporaryDirectory.appendingPathComponent("xcnn-test-badchart-\(getpid()).js")
        try Data(("/*! Chart.js v1 */ var s = '</script>';" + String(repeating: " ", count: 10_000)).utf8).write(
            to: bad)
        defer { try? FileManager.default.removeItem(at: bad) }
        #expect(throws: ReportError(bad.path, "holds \"</script\", which would end the page's script element early")) {
            try ChartLibrary(path: bad.path)
        }
    }

    @Test func configurationThatIsNotAnObjectIsNamed() throws {
        var page = report(methods: ["explainer"])
        page.configuration = "[1, 2]"
        #expect(throws: ReportError("runs/a&b/config.json", "not a JSON object")) {
            try page.html(chart: ChartLibrary(path: Self.fakeChart.path))
        }
    }
}
