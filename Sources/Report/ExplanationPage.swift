// The page `xcnn explain` writes beside its figures (OUTPUT/index.html): each image's figure with the
// predicted class by name, its probability, the label and the scores, and a colour bar with ticks —
// the text that the PNG figures leave to the browser (see ExplanationFigure).

public struct ExplanationPage {
    public struct Entry {
        /// The image's name (file name or sampleNNNNN).
        public var name: String
        public var figure: RGBImage
        /// "predicted triangle (p = 0.998), label triangle; energy inside target 0.56, IoU 0.52".
        public var caption: String
        public init(name: String, figure: RGBImage, caption: String) {
            self.name = name
            self.figure = figure
            self.caption = caption
        }
    }

    public var title: String
    public var entries: [Entry]
    public var summary: [String]

    public init(title: String, entries: [Entry], summary: [String]) {
        self.title = title
        self.entries = entries
        self.summary = summary
    }

    public func html() throws -> String {
        var page = HTMLDocument(title: title)
        page.append(
            "<p class=\"note\">Each figure: the image | the explanation E (viridis) | E ≥ \(ExplanationFigure.threshold) | "
                + "colour bar; every panel at least 224 px, upscaled by whole factors (nearest neighbour).</p>")
        for line in summary { page.append("<p>\(HTMLDocument.escape(line))</p>") }
        for entry in entries {
            page.append(
                "<figure class=\"row\" data-image=\"\(HTMLDocument.escape(entry.name))\">"
                    + "<img class=\"panel\" src=\"\(try entry.figure.dataURI())\" width=\"\(entry.figure.width)\" "
                    + "height=\"\(entry.figure.height)\" alt=\"\(HTMLDocument.escape(entry.name))\">"
                    + (try HTMLDocument.colourBar(height: entry.figure.height, label: "E"))
                    + "<figcaption><b>\(HTMLDocument.escape(entry.name))</b><br>\(HTMLDocument.escape(entry.caption))</figcaption></figure>"
            )
        }
        return page.render()
    }
}
