// The figure's colormap and panel layout: matplotlib's viridis bytes, panels of at least 224 px by
// whole-factor nearest-neighbour upscaling, the threshold panel and the colour bar.
import Testing

@testable import Report

@Suite struct ExplanationFigureTests {
    /// matplotlib 3.6: `(np.array(viridis.colors) * 255).astype(np.uint8)` at entries 0, 128, 255, and
    /// `viridis(x, bytes=True)` takes entry ⌊256·x⌋ (255 for x = 1).
    @Test func viridisMatchesMatplotlibBytes() {
        #expect(Viridis.table.count == 256)
        #expect(Viridis.color(0) == (68, 1, 84))
        #expect(Viridis.color(0.5) == Viridis.bytes[128] && Viridis.bytes[128] == (32, 144, 140))
        #expect(Viridis.color(1) == (253, 231, 36))
        #expect(Viridis.color(0.999) == Viridis.bytes[255] && Viridis.color(0.25) == Viridis.bytes[64])
        #expect(
            Viridis.color(-3) == (68, 1, 84) && Viridis.color(.nan) == (68, 1, 84) && Viridis.color(7) == (253, 231, 36)
        )
        #expect(Viridis.color(-.infinity) == (68, 1, 84) && Viridis.color(.infinity) == (253, 231, 36))
    }

    @Test func panelsAreAtLeast224PixelsByWholeFactors() {
        #expect(RGBImage.scale(side: 64) == 4 && RGBImage.scale(side: 32) == 7 && RGBImage.scale(side: 224) == 1)
        #expect(RGBImage.scale(side: 100) == 3 && RGBImage.scale(side: 512) == 1)
    }

    @Test func panelsHoldOriginalExplanationThresholdAndBar() {
        let side = 32
        let scale = RGBImage.scale(side: side)
        let panel = side * scale
        // Pixel (0, 0) red with E = 0.8 (above the 0.75 threshold), pixel (1, 0) black with E = 0.5.
        var image = [Float](repeating: 0, count: 3 * side * side)
        image[0] = 1
        var explanation = [Float](repeating: 0, count: side * side)
        explanation[0] = 0.8
        explanation[1] = 0.5
        let figure = ExplanationFigure.render(image: image, explanation: explanation, side: side)
        #expect(
            figure.width == 3 * panel + ExplanationFigure.barWidth + 3 * ExplanationFigure.gap && figure.height == panel
        )
        // Nearest neighbour: the whole scale × scale block of a source pixel has its colour, the next block the next pixel's.
        #expect(figure.rgb(x: 0, y: 0) == (255, 0, 0) && figure.rgb(x: scale - 1, y: scale - 1) == (255, 0, 0))
        #expect(figure.rgb(x: scale, y: 0) == (0, 0, 0))
        let e = panel + ExplanationFigure.gap
        #expect(
            figure.rgb(x: e, y: 0) == Viridis.color(0.8) && figure.rgb(x: e + scale - 1, y: 0) == Viridis.color(0.8))
        #expect(figure.rgb(x: e + scale, y: 0) == Viridis.color(0.5))
        let t = 2 * (panel + ExplanationFigure.gap)
        #expect(figure.rgb(x: t, y: 0) == Viridis.color(1) && figure.rgb(x: t + scale, y: 0) == Viridis.color(0))
        #expect(figure.rgb(x: panel, y: 0) == (255, 255, 255))  // the gap stays white
        let bar = 3 * (panel + ExplanationFigure.gap)
        #expect(figure.rgb(x: bar, y: 0) == Viridis.color(1) && figure.rgb(x: bar, y: panel - 1) == Viridis.color(0))
        let bare = ExplanationFigure.render(image: image, explanation: explanation, side: side, colourBar: false)
        #expect(bare.width == 3 * panel + 2 * ExplanationFigure.gap)
    }

    @Test func pngDataURIHoldsThePicture() throws {
        let picture = RGBImage.map([0, 1, 0.5, 0.25], side: 2, scale: 3)
        let png = try picture.png()
        #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        // IHDR: width and height big-endian at bytes 16–23.
        let width = png[16..<20].reduce(0) { $0 << 8 | Int($1) }
        let height = png[20..<24].reduce(0) { $0 << 8 | Int($1) }
        #expect(width == 6 && height == 6)
        #expect(try picture.png() == png)  // equal pixels, equal bytes
        #expect(try picture.dataURI().hasPrefix("data:image/png;base64,iVBORw0KGgo"))
    }
}
