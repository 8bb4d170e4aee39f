// The one error type of the Datasets module: what failed (a file, a directory or an option) and why.

/// A failure to read, decode, validate or write data. `path` names the file or directory (or, for a
/// bad generator option, the option's name); `reason` says what was wrong with it.
public struct DatasetError: Error, Equatable, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "\(path): \(reason)" }
}
