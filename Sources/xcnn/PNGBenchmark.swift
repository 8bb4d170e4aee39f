// `xcnn bench png`'s measurement: time and size of encoding generated images and masks at each
// PNG setting (zlib level and strategy, scanline filter, bit depth), in memory on the calling
// thread, so the dataset writer's setting is a measured choice (docs/perf/generation.md). Times are
// the thread's CPU time, which other jobs on the machine disturb far less than the wall clock.
import Datasets
import Foundation
import Glibc

struct PNGBenchmark: Sendable {
    /// What is encoded: the generated RGB image, the same pixels as one grey channel (what a
    /// grey-only set could write), or the target mask at 8 bits or 1 bit per pixel.
    enum Subject: String, CaseIterable, Sendable {
        case image = "image (RGB)"
        case greyImage = "image as grey"
        case mask = "mask (8-bit)"
        case bilevelMask = "mask (1-bit)"
    }

    struct Row: Sendable {
        let subject: Subject
        let compression: PNGCompression
        /// Median over the repeats of the mean CPU time per image.
        let microseconds: Double
        let bytes: Double
    }

    /// The settings measured for each subject: every filter at levels 1, 6 and 9 (zlib's default
    /// strategy), and level 1 with each other strategy (`rle` and `huffmanOnly` ignore the level).
    static func settings(for subject: Subject) -> [PNGCompression] {
        // A 1-bit row has no byte-sized neighbours to predict from: filters only add work.
        let filters: [PNGCompression.Filter] = subject == .bilevelMask ? [.none] : PNGCompression.Filter.allCases
        return filters.flatMap { filter in
            [1, 6, 9].map { PNGCompression(level: $0, strategy: .default, filter: filter) }
                + PNGCompression.Strategy.allCases.filter { $0 != .default }.map {
                    PNGCompression(level: 1, strategy: $0, filter: filter)
                }
        }
    }

    /// Encodes `images` images of `options` (and their masks) `repeats` times at every setting.
    static func run(options: GeneratorOptions, images: Int, repeats: Int) throws -> [Row] {
        var options = options
        options.count = images
        let generator = try SyntheticGenerator(options: options)
        let rendered = (0..<images).map(generator.image(at:))
        let side = options.side
        var rows: [Row] = []
        for subject in Subject.allCases {
            // The pixels each subject encodes, made before any clock starts.
            let inputs = rendered.map { image in
                switch subject {
                case .image: (3, 8, image.rgb)
                case .greyImage: (1, 8, stride(from: 0, to: image.rgb.count, by: 3).map { image.rgb[$0] })
                case .mask: (1, 8, image.targetMask)
                case .bilevelMask: (1, 1, image.targetMask)
                }
            }
            for compression in settings(for: subject) {
                var times: [Double] = []
                var bytes = 0
                for _ in 0..<repeats {
                    bytes = 0
                    let start = threadCPUSeconds()
                    for (channels, bitDepth, pixels) in inputs {
                        bytes +=
                            try ImageCodec.encodePNG(
                                width: side, height: side, channels: channels, bitDepth: bitDepth, pixels: pixels,
                                compression: compression
                            ).count
                    }
                    times.append((threadCPUSeconds() - start) / Double(images) * 1e6)
                }
                rows.append(
                    Row(
                        subject: subject, compression: compression, microseconds: median(times),
                        bytes: Double(bytes) / Double(images)))
            }
        }
        return rows
    }

    private static func threadCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }

    /// The rows as a Markdown table; ✓ marks the setting the dataset writer uses.
    static func table(_ rows: [Row]) -> String {
        var lines = [
            "| encoded | filter | strategy | level | CPU µs per image | bytes per image |", "|---|---|---|---|---|---|",
        ]
        for row in rows {
            let mark = row.compression == .dataset && row.subject != .greyImage && row.subject != .mask ? " ✓" : ""
            lines.append(
                "| \(row.subject.rawValue)\(mark) | \(row.compression.filter.rawValue) | "
                    + "\(row.compression.strategy.rawValue) | \(row.compression.level) | "
                    + "\(String(format: "%.0f", row.microseconds)) | \(String(format: "%.0f", row.bytes)) |")
        }
        return lines.joined(separator: "\n")
    }
}
