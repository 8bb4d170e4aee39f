// The paper's figure for one image: original | explanation (viridis) | explanation thresholded at
// 0.75, side by side as 8-bit RGB, ready to be written as PNG.
public enum ExplanationFigure {
    /// Matplotlib's viridis at nine evenly spaced stops (purple → yellow); values in between are
    /// interpolated linearly, which stays within a few levels of the full 256-entry table.
    static let viridisStops: [(Float, Float, Float)] = [
        (68, 1, 84), (71, 44, 122), (59, 81, 139), (44, 113, 142), (33, 144, 141),
        (39, 173, 129), (92, 200, 99), (170, 220, 50), (253, 231, 37),
    ]

    public static let threshold: Float = 0.75
    /// White columns between the panels.
    public static let gap = 4

    /// viridis(value) for value in [0, 1] (clamped), as (r, g, b) bytes.
    public static func viridis(_ value: Float) -> (UInt8, UInt8, UInt8) {
        let clamped = value.isNaN ? 0 : min(max(value, 0), 1)
        let position = clamped * Float(viridisStops.count - 1)
        let lower = min(Int(position), viridisStops.count - 2)
        let t = position - Float(lower)
        let (a, b) = (viridisStops[lower], viridisStops[lower + 1])
        func mix(_ x: Float, _ y: Float) -> UInt8 { UInt8((x + (y - x) * t).rounded()) }
        return (mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
    }

    /// - Parameters:
    ///   - image: [3, S, S] planar RGB in [0, 1].
    ///   - explanation: [S, S] values in [0, 1).
    /// - Returns: interleaved RGB bytes of a (3S + 2·gap) × S image, and its width.
    public static func render(image: [Float], explanation: [Float], side: Int) -> (pixels: [UInt8], width: Int) {
        precondition(image.count == 3 * side * side && explanation.count == side * side, "figure: sizes do not match side \(side)")
        let width = 3 * side + 2 * gap
        var pixels = [UInt8](repeating: 255, count: width * side * 3)
        let plane = side * side
        for y in 0..<side {
            for x in 0..<side {
                let source = y * side + x
                func put(_ panel: Int, _ rgb: (UInt8, UInt8, UInt8)) {
                    let destination = (y * width + panel * (side + gap) + x) * 3
                    pixels[destination] = rgb.0
                    pixels[destination + 1] = rgb.1
                    pixels[destination + 2] = rgb.2
                }
                func byte(_ v: Float) -> UInt8 { UInt8((min(max(v, 0), 1) * 255).rounded()) }
                put(0, (byte(image[source]), byte(image[plane + source]), byte(image[2 * plane + source])))
                put(1, viridis(explanation[source]))
                put(2, viridis(explanation[source] >= threshold ? 1 : 0))
            }
        }
        return (pixels, width)
    }
}
