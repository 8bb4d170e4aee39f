// The figure's colormap ends and panel layout.
import Testing
@testable import Training

@Suite struct ExplanationFigureTests {
    @Test func viridisRunsFromPurpleToYellow() {
        #expect(ExplanationFigure.viridis(0) == (68, 1, 84))
        #expect(ExplanationFigure.viridis(1) == (253, 231, 37))
        #expect(ExplanationFigure.viridis(0.5) == (33, 144, 141))
        #expect(ExplanationFigure.viridis(-3) == (68, 1, 84) && ExplanationFigure.viridis(.nan) == (68, 1, 84))
    }

    @Test func panelsHoldOriginalExplanationAndThreshold() {
        let side = 2
        // Pixel 0 red with E = 0.8 (above the 0.75 threshold), pixel 1 black with E = 0.5.
        let image: [Float] = [1, 0, 0, 0, /* G */ 0, 0, 0, 0, /* B */ 0, 0, 0, 0]
        let explanation: [Float] = [0.8, 0.5, 0, 0]
        let (pixels, width) = ExplanationFigure.render(image: image, explanation: explanation, side: side)
        #expect(width == 3 * side + 2 * ExplanationFigure.gap)
        func rgb(_ x: Int, _ y: Int) -> [UInt8] { Array(pixels[((y * width + x) * 3)..<((y * width + x) * 3 + 3)]) }
        #expect(rgb(0, 0) == [255, 0, 0])
        let explanationPanel = side + ExplanationFigure.gap
        let v = ExplanationFigure.viridis(0.8)
        #expect(rgb(explanationPanel, 0) == [v.0, v.1, v.2])
        let thresholdPanel = 2 * (side + ExplanationFigure.gap)
        #expect(rgb(thresholdPanel, 0) == [253, 231, 37])
        #expect(rgb(thresholdPanel + 1, 0) == [68, 1, 84])
        #expect(rgb(side, 0) == [255, 255, 255])  // the gap stays white
    }
}
