// The shapes the generator draws: regular p/q star polygons and circles, with their VOC names.

/// A regular star polygon {p/q} (p vertices on a circle, vertex i joined to vertex i+q) or a
/// circle. q = 1 is a convex regular polygon; gcd(p, q) > 1 gives a compound figure such as {6/2}.
public struct ShapeKind: Hashable, Sendable, CustomStringConvertible {
    /// Number of vertices; 0 for a circle.
    public let vertices: Int
    /// The step q; 0 for a circle.
    public let step: Int

    public static let circle = ShapeKind(uncheckedVertices: 0, step: 0)
    public static let triangle = ShapeKind(uncheckedVertices: 3, step: 1)
    public static let square = ShapeKind(uncheckedVertices: 4, step: 1)
    public static let pentagon = ShapeKind(uncheckedVertices: 5, step: 1)
    public static let pentagram = ShapeKind(uncheckedVertices: 5, step: 2)

    private init(uncheckedVertices: Int, step: Int) {
        self.vertices = uncheckedVertices
        self.step = step
    }

    /// A star polygon {p/q}; nil unless p ≥ 3 and 1 ≤ q < p/2 (q = p/2 collapses to line segments).
    public init?(vertices p: Int, step q: Int) {
        guard p >= 3, q >= 1, 2 * q < p, p <= 64 else { return nil }
        self.init(uncheckedVertices: p, step: q)
    }

    /// Parses a VOC name (`circle`, `triangle`, `square`, `pentagon`, `hexagon`, `polygon7`,
    /// `star5-2`) or the Schläfli form `5/2`.
    public init?(name: String) {
        let text = name.lowercased()
        if text == "circle" {
            self = .circle
            return
        }
        if let p = Self.convexNames.firstIndex(of: text) {
            self.init(vertices: p, step: 1)
            return
        }
        for (prefix, separator) in [("star", "-"), ("", "/")] where text.hasPrefix(prefix) {
            let parts = text.dropFirst(prefix.count).split(
                separator: Character(separator), omittingEmptySubsequences: false)
            if parts.count == 2, let p = Int(parts[0]), let q = Int(parts[1]) {
                self.init(vertices: p, step: q)
                return
            }
        }
        if text.hasPrefix("polygon"), let p = Int(text.dropFirst("polygon".count)) {
            self.init(vertices: p, step: 1)
            return
        }
        return nil
    }

    /// Index p holds the name of the convex p-gon; names past the table are `polygon<p>`.
    private static let convexNames = ["", "", "", "triangle", "square", "pentagon", "hexagon", "heptagon", "octagon"]

    public var isCircle: Bool { vertices == 0 }

    /// The class name written to `<name>` in the annotations.
    public var name: String {
        if isCircle { return "circle" }
        if step > 1 { return "star\(vertices)-\(step)" }
        return vertices < Self.convexNames.count ? Self.convexNames[vertices] : "polygon\(vertices)"
    }

    public var description: String { name }
}

/// Stored by name ("triangle", "star5-2"), so configs stay readable and decoding validates p/q.
extension ShapeKind: Codable {
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        let name = try container.decode(String.self)
        guard let kind = ShapeKind(name: name) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "unknown shape '\(name)'")
        }
        self = kind
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(name)
    }
}
