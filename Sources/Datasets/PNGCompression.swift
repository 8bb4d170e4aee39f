// How a PNG's pixels are compressed: the zlib level and strategy and the scanline filter. Two
// fixed choices: figures keep what xcnn always wrote; generated datasets take the measured fastest.
import CImage

public struct PNGCompression: Hashable, Sendable, CustomStringConvertible {
    /// zlib's strategies: `rle` looks for runs of one byte only (matches at distance 1), which is
    /// all a line drawing on a plain background offers, and is the fastest; `huffmanOnly` finds no
    /// matches at all, `fixed` searches as `default` does but codes with deflate's fixed tables.
    public enum Strategy: String, CaseIterable, Sendable {
        case `default`, filtered, rle
        case huffmanOnly = "huffman-only"
        case fixed

        var code: Int32 {
            switch self {
            case .default: Int32(XIMG_ZLIB_DEFAULT_STRATEGY)
            case .filtered: Int32(XIMG_ZLIB_FILTERED)
            case .rle: Int32(XIMG_ZLIB_RLE)
            case .huffmanOnly: Int32(XIMG_ZLIB_HUFFMAN_ONLY)
            case .fixed: Int32(XIMG_ZLIB_FIXED)
            }
        }
    }

    /// PNG's per-row filters; `adaptive` lets libpng try all five on every row and keep the one
    /// with the smallest sum of absolute differences.
    public enum Filter: String, CaseIterable, Sendable {
        case none, sub, up, average, paeth, adaptive

        var mask: Int32 {
            switch self {
            case .none: Int32(XIMG_PNG_FILTER_NONE)
            case .sub: Int32(XIMG_PNG_FILTER_SUB)
            case .up: Int32(XIMG_PNG_FILTER_UP)
            case .average: Int32(XIMG_PNG_FILTER_AVG)
            case .paeth: Int32(XIMG_PNG_FILTER_PAETH)
            case .adaptive: Int32(XIMG_PNG_ALL_FILTERS)
            }
        }
    }

    /// zlib level, 0 (stored) to 9. Ignored by `rle` and `huffmanOnly` beyond 0 versus not 0.
    public var level: Int
    public var strategy: Strategy
    public var filter: Filter

    public init(level: Int, strategy: Strategy, filter: Filter) {
        precondition((0...9).contains(level), "zlib level \(level) outside 0...9")
        self.level = level
        self.strategy = strategy
        self.filter = filter
    }

    /// Figures and report panels: level 6, SUB filter (what every PNG of xcnn was before).
    public static let figures = PNGCompression(level: 6, strategy: .default, filter: .sub)

    /// Generated datasets (images and masks): no filter and zlib's run-length strategy, the fastest
    /// of zlib's settings measured on outlines over a plain background and near the smallest
    /// (`xcnn bench png`, docs/perf/generation.md: a paper-sized image in 352 µs and 7.6 KB;
    /// `fixed` 490 µs and 8.6 KB, `huffmanOnly` 1300 µs and 24.5 KB, `figures` 1440 µs and
    /// 8.6 KB; level 6 saves 4% at 3× the time, level 9 10% at 20×).
    public static let dataset = PNGCompression(level: 1, strategy: .rle, filter: .none)

    public var description: String { "level \(level), \(strategy.rawValue) strategy, \(filter.rawValue) filter" }
}
