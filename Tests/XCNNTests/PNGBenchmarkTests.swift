// The PNG benchmark: every subject at every setting is measured, and the table marks the
// dataset writer's setting for the image and the 1-bit mask.
import Datasets
import Testing

@testable import xcnn

@Suite struct PNGBenchmarkTests {
    @Test func everySettingIsMeasuredAndTheWritersChoiceIsMarked() throws {
        var options = GeneratorOptions.paper(colourCue: false, seed: 1)
        options.side = 32
        options.radius = 3..<6
        let rows = try PNGBenchmark.run(options: options, images: 2, repeats: 1)
        let expected = PNGBenchmark.Subject.allCases.map { PNGBenchmark.settings(for: $0).count }.reduce(0, +)
        #expect(rows.count == expected)
        #expect(rows.allSatisfy { $0.microseconds > 0 && $0.bytes > 0 })
        let table = PNGBenchmark.table(rows)
        #expect(table.components(separatedBy: "✓").count - 1 == 2)
        #expect(table.contains("| image (RGB) ✓ | none | rle | 1 |"))
        #expect(table.contains("| mask (1-bit) ✓ | none | rle | 1 |"))
    }
}
