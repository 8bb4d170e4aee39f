// A grid like the paper's Fig. 6: one row per image (those with the target first, then those
// without), columns the image, then each method's map in viridis, every panel at least 224 px
// (nearest-neighbour upscaling, so a 1-px outline stays visible), and one colour bar.
// Letters: S the side.

public struct FigureGrid {
    public struct Row {
        /// Text beside the row (the image's index, label, prediction).
        public var caption: String
        /// [3, S, S] planar RGB in [0, 1], as the model saw it.
        public var image: [Float]
        /// One [S, S] map in [0, 1] per method, in the grid's method order.
        public var maps: [[Float]]
        /// Whether the target is in the image (nil when the dataset does not say).
        public var hasTarget: Bool?

        public init(caption: String, image: [Float], maps: [[Float]], hasTarget: Bool?) {
            self.caption = caption
            self.image = image
            self.maps = maps
            self.hasTarget = hasTarget
        }
    }

    public var side: Int
    public var methods: [String]
    public var rows: [Row]
    /// How the maps were brought to [0, 1] (shown under the grid).
    public var note: String

    public init(side: Int, methods: [String], rows: [Row], note: String) {
        self.side = side
        self.methods = methods
        self.rows = rows
        self.note = note
    }

    /// The grid as an HTML table; every method's header and panels carry data-method="NAME", the image
    /// column data-method="image".
    public func html() throws -> String {
        let scale = RGBImage.scale(side: side)
        let panel = side * scale
        let columns = ["image"] + methods
        let header =
            "<tr><th></th>"
            + columns.map { "<th data-method=\"\(HTMLDocument.escape($0))\">\(HTMLDocument.escape($0))</th>" }.joined()
            + "<th></th></tr>"
        var body: [String] = []
        let groups: [(String, [Row])] = [
            ("images with the target", rows.filter { $0.hasTarget == true }),
            ("images without the target", rows.filter { $0.hasTarget == false }),
            ("images", rows.filter { $0.hasTarget == nil }),
        ]
        for (title, group) in groups where !group.isEmpty {
            body.append(
                "<tr><th colspan=\"\(columns.count + 2)\" class=\"group\">\(HTMLDocument.escape(title))</th></tr>")
            for row in group {
                precondition(
                    row.maps.count == methods.count, "grid row: \(row.maps.count) maps for \(methods.count) methods")
                var cells = ["<td class=\"caption\">\(HTMLDocument.escape(row.caption))</td>"]
                let pictures =
                    [RGBImage.image(planar: row.image, side: side, scale: scale)]
                    + row.maps.map { RGBImage.map($0, side: side, scale: scale) }
                for (column, picture) in zip(columns, pictures) {
                    cells.append(
                        "<td data-method=\"\(HTMLDocument.escape(column))\"><img class=\"panel\" src=\"\(try picture.dataURI())\" "
                            + "width=\"\(panel)\" height=\"\(panel)\" alt=\"\(HTMLDocument.escape(column))\"></td>")
                }
                cells.append("<td>\(try HTMLDocument.colourBar(height: panel, label: "map value"))</td>")
                body.append("<tr>" + cells.joined() + "</tr>")
            }
        }
        return
            "<div class=\"scroll\"><table class=\"grid\">\n\(header)\n\(body.joined(separator: "\n"))\n</table></div>\n"
            + "<p class=\"note\">\(HTMLDocument.escape(note))</p>"
    }
}
