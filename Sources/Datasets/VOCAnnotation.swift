// A PASCAL VOC annotation: what the generator writes to Annotations/<id>.xml and what the VOC
// dataset reads back (parsing is in VOCAnnotation+Parsing.swift).

public struct VOCAnnotation: Hashable, Sendable {
    /// Image file name inside JPEGImages/ (a bare name: no directories).
    public var filename: String
    public var width: Int
    public var height: Int
    public var depth: Int
    public var objects: [AnnotatedObject]

    public init(filename: String, width: Int, height: Int, depth: Int = 3, objects: [AnnotatedObject]) {
        self.filename = filename
        self.width = width
        self.height = height
        self.depth = depth
        self.objects = objects
    }

    /// Whether any object is of class `name`.
    public func contains(_ name: String) -> Bool { objects.contains { $0.name == name } }

    /// The XML text, laid out as VOC's own files (tabs, one element per line). No dates or
    /// machine names, so the bytes depend only on the annotation.
    public var xml: String {
        // One growing string: an array of lines joined at the end cost as much as a generated
        // image's mask PNG.
        var text = """
            <annotation>
            \t<folder>JPEGImages</folder>
            \t<filename>\(Markup.escape(filename))</filename>
            \t<source>
            \t\t<database>xcnn synthetic polygons</database>
            \t</source>
            \t<size>
            \t\t<width>\(width)</width>
            \t\t<height>\(height)</height>
            \t\t<depth>\(depth)</depth>
            \t</size>
            \t<segmented>0</segmented>

            """
        text.reserveCapacity(text.utf8.count + objects.count * 240 + 16)
        for object in objects {
            text += """
                \t<object>
                \t\t<name>\(Markup.escape(object.name))</name>
                \t\t<pose>Unspecified</pose>
                \t\t<truncated>\(object.truncated ? 1 : 0)</truncated>
                \t\t<difficult>0</difficult>
                \t\t<bndbox>
                \t\t\t<xmin>\(object.box.xmin)</xmin>
                \t\t\t<ymin>\(object.box.ymin)</ymin>
                \t\t\t<xmax>\(object.box.xmax)</xmax>
                \t\t\t<ymax>\(object.box.ymax)</ymax>
                \t\t</bndbox>
                \t</object>

                """
        }
        text += "</annotation>\n"
        return text
    }
}
