// The one error type of the Datasets module: what failed (a file, a directory or an option) and why.

/// A failure to read, decode, validate or write data. `path` names the file or directory (or, for a
/// bad generator option, the option's name); `reason` says what was wrong with it.
public struct DatasetError: Error, Equatable, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String
    /// A short reason shared by every file that failed the same way (e.g. "unsupported image format
    /// .webp"), so a skip report can count files per reason; nil: `reason` itself is the summary.
    public var summary: String?

    public init(path: String, reason: String, summary: String? = nil) {
        self.path = path
        self.reason = reason
        self.summary = summary
    }

    public var description: String { "\(path): \(reason)" }
}
