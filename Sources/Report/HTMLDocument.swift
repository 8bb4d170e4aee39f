// One self-contained HTML page: the style, the content, data blocks and scripts all inline, so the
// file opens offline from anywhere (pictures are data URIs, Chart.js is embedded by `ChartLibrary`).
import Datasets
import Foundation

public struct HTMLDocument {
    public var title: String
    /// Content of <body>, in order.
    public var sections: [String] = []
    /// Script sources run at the end of <body>, in order (libraries first); none may hold "</script"
    /// (`ChartLibrary` refuses such a file).
    public var scripts: [String] = []

    public init(title: String) { self.title = title }

    public mutating func append(_ html: String) { sections.append(html) }

    /// The page. A first script records any uncaught error on <html data-page-errors="N"> (and its
    /// message in data-last-error), so a headless browser's DOM dump shows whether the page failed.
    public func render() -> String {
        """
        <!DOCTYPE html>
        <html lang="en" data-page-errors="0">
        <head>
        <meta charset="utf-8">
        <title>\(Self.escape(title))</title>
        <script>
        window.addEventListener("error", function (event) {
          var root = document.documentElement;
          root.dataset.pageErrors = String(Number(root.dataset.pageErrors) + 1);
          root.dataset.lastError = String(event.message);
        });
        </script>
        <style>
        \(Self.style)
        </style>
        </head>
        <body>
        <h1>\(Self.escape(title))</h1>
        \(sections.joined(separator: "\n"))
        \(scripts.map { "<script>\n\($0)\n</script>" }.joined(separator: "\n"))
        </body>
        </html>

        """
    }

    /// Text for HTML content and double-quoted attribute values (every attribute here is double-quoted).
    public static func escape(_ text: String) -> String { Markup.escape(text) }

    /// JSON (or a script) inside <script>…</script>: a "</" would end the element early; "<\/" means
    /// the same inside JSON strings and JavaScript strings and regular expressions.
    public static func scriptSafe(_ source: String) -> String { source.replacingOccurrences(of: "</", with: "<\\/") }

    /// A JSON data block that scripts read by id.
    public static func jsonBlock(id: String, _ value: Any) throws -> String {
        let data = try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys])
        return
            "<script type=\"application/json\" id=\"\(escape(id))\">\(scriptSafe(String(decoding: data, as: UTF8.self)))</script>"
    }

    /// A table: header cells, then rows of already-escaped HTML cells; `attributes` go on each column's
    /// cells (e.g. data-method), one string per column.
    public static func table(
        header: [String], rows: [[String]], columnAttributes: [String]? = nil, className: String = ""
    ) -> String {
        func attributes(_ column: Int) -> String { columnAttributes.map { " " + $0[column] } ?? "" }
        let head = header.enumerated().map { "<th\(attributes($0.offset))>\($0.element)</th>" }.joined()
        let body = rows.map { row in
            "<tr>" + row.enumerated().map { "<td\(attributes($0.offset))>\($0.element)</td>" }.joined() + "</tr>"
        }
        return
            "<table class=\"\(className)\"><thead><tr>\(head)</tr></thead><tbody>\n\(body.joined(separator: "\n"))\n</tbody></table>"
    }

    /// A vertical viridis colour bar `height` px tall with ticks 1, 0.5 and 0, as a page element.
    public static func colourBar(height: Int, label: String) throws -> String {
        let image = try RGBImage.colourBar(width: 16, height: height).dataURI()
        return """
            <div class="colourbar" data-colour-bar="viridis"><img src="\(image)" width="16" height="\(height)" alt="viridis colour bar">\
            <div class="ticks" style="height:\(height)px"><span>1.0</span><span>0.5</span><span>0.0</span></div>\
            <div class="bar-label">\(escape(label))</div></div>
            """
    }

    static let style = """
        body { font-family: sans-serif; margin: 1.5em; color: #222; }
        h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ccc; }
        table { border-collapse: collapse; font-size: 0.9em; }
        th, td { border: 1px solid #ccc; padding: 0.2em 0.5em; text-align: left; vertical-align: top; }
        table.numbers td { text-align: right; } table.numbers td:first-child { text-align: left; }
        .scroll { overflow-x: auto; }
        .charts { display: flex; flex-wrap: wrap; gap: 1em; }
        figure { margin: 0; }
        figcaption { font-size: 0.85em; max-width: 30em; }
        img.panel { image-rendering: pixelated; display: block; outline: 1px solid #bbb; }
        .grid td { padding: 2px; border: none; } .grid th { border: none; font-weight: normal; font-size: 0.85em; }
        .grid td.caption { min-width: 10em; max-width: 12em; font-size: 0.85em; }
        .grid th.group { text-align: left; font-weight: bold; padding-top: 1em; }
        .row { display: flex; align-items: flex-start; gap: 4px; margin-bottom: 1em; }
        .colourbar { display: flex; align-items: stretch; gap: 4px; font-size: 0.8em; }
        .colourbar .ticks { display: flex; flex-direction: column; justify-content: space-between; }
        .colourbar .bar-label { writing-mode: vertical-rl; }
        .note { color: #555; font-size: 0.9em; max-width: 60em; }
        """
}
