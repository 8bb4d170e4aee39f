// The Report module's one error type: what failed (a file, a picture, a section) and why.

public struct ReportError: Error, CustomStringConvertible, Equatable, Sendable {
    public var location: String
    public var reason: String
    public init(_ location: String, _ reason: String) {
        self.location = location
        self.reason = reason
    }
    public var description: String { "\(location): \(reason)" }
}
