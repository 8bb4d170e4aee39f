// One shape as placed in an image: its geometry, outline distance, interior test and extent.
import Foundation

/// A shape with centre and radius in continuous pixel coordinates (pixel (x, y) covers
/// [x, x+1) × [y, y+1), so its centre is at (x + 0.5, y + 0.5)).
struct PlacedShape: Sendable {
    let kind: ShapeKind
    let centreX: Double, centreY: Double
    let radius: Double
    /// Vertex positions, empty for a circle.
    let vertices: [(x: Double, y: Double)]

    init(kind: ShapeKind, centreX: Double, centreY: Double, radius: Double, rotation: Double) {
        self.kind = kind
        self.centreX = centreX
        self.centreY = centreY
        self.radius = radius
        // Vertex 0 points up (−y) before rotation; the image's y axis points down.
        vertices = (0..<kind.vertices).map { k in
            let angle = rotation - Double.pi / 2 + 2 * Double.pi * Double(k) / Double(kind.vertices)
            return (centreX + radius * cos(angle), centreY + radius * sin(angle))
        }
    }

    /// Edges of {p/q}: vertex i to vertex i+q, all oriented the same way round the centre.
    private func edge(_ i: Int) -> (ax: Double, ay: Double, bx: Double, by: Double) {
        let a = vertices[i]
        let b = vertices[(i + kind.step) % vertices.count]
        return (a.x, a.y, b.x, b.y)
    }

    /// Distance from a point to the outline (the union of edges, or the circle).
    func outlineDistance(_ x: Double, _ y: Double) -> Double {
        if kind.isCircle {
            return abs(((x - centreX) * (x - centreX) + (y - centreY) * (y - centreY)).squareRoot() - radius)
        }
        var best = Double.infinity
        for i in 0..<vertices.count {
            let (ax, ay, bx, by) = edge(i)
            let dx = bx - ax
            let dy = by - ay
            let t = min(1, max(0, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)))
            let ex = ax + t * dx - x
            let ey = ay + t * dy - y
            best = min(best, ex * ex + ey * ey)
        }
        return best.squareRoot()
    }

    /// Inside the filled shape: nonzero winding over the edges, so a pentagram's centre counts.
    func contains(_ x: Double, _ y: Double) -> Bool {
        if kind.isCircle { return (x - centreX) * (x - centreX) + (y - centreY) * (y - centreY) <= radius * radius }
        var winding = 0
        for i in 0..<vertices.count {
            let (ax, ay, bx, by) = edge(i)
            let side = (bx - ax) * (y - ay) - (x - ax) * (by - ay)
            if ay <= y, by > y, side > 0 { winding += 1 }
            if ay > y, by <= y, side < 0 { winding -= 1 }
        }
        return winding != 0
    }

    /// Geometric extent of the outline (without anti-aliasing), as (minX, minY, maxX, maxY).
    var extent: (Double, Double, Double, Double) {
        if kind.isCircle { return (centreX - radius, centreY - radius, centreX + radius, centreY + radius) }
        let xs = vertices.map(\.x)
        let ys = vertices.map(\.y)
        return (xs.min()!, ys.min()!, xs.max()!, ys.max()!)
    }

    /// Pixel columns and rows the anti-aliased outline can touch (one pixel of falloff each side),
    /// clipped to the image.
    func pixelRange(side: Int) -> (x: Range<Int>, y: Range<Int>) {
        let (x0, y0, x1, y1) = extent
        func clip(_ low: Double, _ high: Double) -> Range<Int> {
            let a = max(0, Int((low - 1.5).rounded(.down)))
            let b = min(side, Int((high + 1.5).rounded(.up)))
            return a < b ? a..<b : 0..<0
        }
        return (clip(x0, x1), clip(y0, y1))
    }
}
