// The paper's figure for one image as one picture: original | explanation E (viridis) | E ≥ 0.75 |
// colour bar, each panel at least 224 px (nearest-neighbour upscaling), ready to be written as PNG.
// Text (class names, probability, label, the colour bar's ticks) goes on the HTML page beside it
// (`ExplanationPage`): writing text into pixels would need a font renderer such as cairo, a build
// dependency for every node of a cluster, while every browser already renders text.

public enum ExplanationFigure {
    public static let threshold: Float = 0.75
    /// White columns between the panels.
    public static let gap = 4
    /// Width of the colour bar at the right, in pixels.
    public static let barWidth = 16

    /// - Parameters:
    ///   - image: [3, S, S] planar RGB in [0, 1].
    ///   - explanation: [S, S] values in [0, 1].
    ///   - colourBar: whether to draw the bar (a page that draws its own, with ticks, leaves it out).
    /// - Returns: a (3P + barWidth + 3·gap) × P picture, P = S · `RGBImage.scale(side:)` ≥ 224, or
    ///   (3P + 2·gap) × P without the bar.
    public static func render(image: [Float], explanation: [Float], side: Int, colourBar: Bool = true) -> RGBImage {
        let scale = RGBImage.scale(side: side)
        let panel = side * scale
        var figure = RGBImage(width: 3 * panel + 2 * gap + (colourBar ? gap + barWidth : 0), height: panel)
        figure.place(.image(planar: image, side: side, scale: scale), x: 0, y: 0)
        figure.place(.map(explanation, side: side, scale: scale), x: panel + gap, y: 0)
        figure.place(
            .map(explanation.map { $0 >= threshold ? 1 : 0 }, side: side, scale: scale), x: 2 * (panel + gap), y: 0)
        if colourBar { figure.place(.colourBar(width: barWidth, height: panel), x: 3 * (panel + gap), y: 0) }
        return figure
    }
}
