// What opening a dataset left out (--skip-bad) or read differently from what its files say, counted
// per reason and named file by file: the command line prints it and saves it in the run directory.
import Foundation

/// Files per reason, most frequent first, e.g. "4 × unsupported image format .webp".
public struct SkipCounts: Equatable, Sendable, CustomStringConvertible {
    public let counts: [(reason: String, count: Int)]

    public init(_ errors: [DatasetError]) {
        var byReason: [String: Int] = [:]
        for error in errors { byReason[error.summary ?? error.reason, default: 0] += 1 }
        counts = byReason.map { (reason: $0.key, count: $0.value) }
            .sorted { $0.count != $1.count ? $0.count > $1.count : Dataset.codePointOrder($0.reason, $1.reason) }
    }

    public var description: String { counts.map { "\($0.count) × \($0.reason)" }.joined(separator: ", ") }

    public static func == (a: SkipCounts, b: SkipCounts) -> Bool {
        a.counts.map(\.reason) == b.counts.map(\.reason) && a.counts.map(\.count) == b.counts.map(\.count)
    }
}

extension Dataset {
    /// The error for a class that --skip-bad left without a single image, naming the first files.
    static func emptyClass(_ name: String, at path: String, leftOut: [DatasetError]) -> DatasetError {
        let names =
            leftOut.prefix(5).map { ($0.path as NSString).lastPathComponent }.joined(separator: ", ")
            + (leftOut.count > 5 ? ", …" : "")
        return DatasetError(
            path: path,
            reason: "class '\(name)' has no usable images: all \(leftOut.count) file(s) were left out by "
                + "--skip-bad (\(SkipCounts(leftOut))): \(names)")
    }

    /// Warning lines for a run's log: a count per reason of what --skip-bad left out, then each
    /// skipped file and each dataset warning by name, up to `limit` of each; empty when there is
    /// nothing to report.
    public func reportLines(limit: Int = 20) -> [String] {
        var lines: [String] = []
        if !skipped.isEmpty { lines.append("--skip-bad left out \(skipped.count) file(s): \(SkipCounts(skipped))") }
        lines += skipped.prefix(limit).map { "skipped \($0)" }
        if skipped.count > limit { lines.append("… and \(skipped.count - limit) more skipped file(s)") }
        lines += warnings.prefix(limit).map(\.description)
        if warnings.count > limit {
            lines.append("… and \(warnings.count - limit) more dataset warning(s) (\(SkipCounts(warnings)))")
        }
        return lines
    }

    /// The whole report as a file's text (every file, one per line, tab-separated kind, path and
    /// reason); nil when there is nothing to report.
    public func reportText(dataset name: String) -> String? {
        guard !skipped.isEmpty || !warnings.isEmpty else { return nil }
        var lines = [
            "# dataset \(name): \(count) image(s) used",
            "# left out by --skip-bad: \(skipped.count)" + (skipped.isEmpty ? "" : " (\(SkipCounts(skipped)))"),
            "# warnings: \(warnings.count)" + (warnings.isEmpty ? "" : " (\(SkipCounts(warnings)))"),
        ]
        lines += skipped.map { "skipped\t\($0.path)\t\($0.reason)" }
        lines += warnings.map { "warning\t\($0.path)\t\($0.reason)" }
        return lines.joined(separator: "\n") + "\n"
    }
}
