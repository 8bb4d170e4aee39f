// Bilinear resizing (pixel centres aligned) and box masks scaled to the model's side.
import Datasets
import Testing

@Suite struct ImageResizeTests {
    @Test func resizingKeepsAConstantImageConstantAndSameSizeExact() {
        let constant = [UInt8](repeating: 51, count: 13 * 9 * 3)
        let resized = ImageResize.bilinear(rgb: constant, width: 13, height: 9, side: 16)
        #expect(resized.count == 3 * 16 * 16)
        #expect(resized.allSatisfy { abs($0 - 0.2) < 1e-6 })  // 51/255 = 0.2, float rounding only
        let ramp: [UInt8] = (0..<4 * 4).flatMap { p -> [UInt8] in [UInt8(p * 10), 0, 255] }
        let same = ImageResize.bilinear(rgb: ramp, width: 4, height: 4, side: 4)
        #expect(same[5] == 50.0 / 255 && same[16 + 5] == 0 && same[32 + 5] == 1)
    }

    @Test func bilinearUpscaleInterpolatesBetweenPixelCentres() {
        // Two pixels 0 and 200 across, upscaled to 4: centres at 0.25 and 0.75 of a source pixel
        // (align_corners = false) give 0, 50, 150, 200 — the edges clamp.
        let rgb: [UInt8] = [0, 0, 0, 200, 200, 200, 0, 0, 0, 200, 200, 200]
        let resized = ImageResize.bilinear(rgb: rgb, width: 2, height: 2, side: 4)
        #expect(Array(resized[0..<4]).map { ($0 * 255).rounded() } == [0, 50, 150, 200])
    }

    @Test func boxMaskCoversTheScaledBox() {
        let mask = ImageResize.boxMask([PixelBox(xmin: 3, ymin: 1, xmax: 4, ymax: 2)], width: 8, height: 8, side: 4)
        // Columns 2–3 and rows 0–1 of 8 are columns 1 and row 0 of 4.
        #expect(mask == [0, 1, 0, 0] + [Float](repeating: 0, count: 12))
    }
}
