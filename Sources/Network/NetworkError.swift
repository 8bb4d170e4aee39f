// The Network module's one error type: what was wrong and where (which option or tensor).

public struct NetworkError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The option, parameter or tensor concerned, e.g. "configuration.side" or "explainer.E".
    public var location: String
    public var reason: String

    public init(_ location: String, _ reason: String) {
        self.location = location
        self.reason = reason
    }

    public var description: String { "\(location): \(reason)" }
}
