// The Training module's one error type: what failed and where (optimizer, file path, rank).

public struct TrainingError: Error, CustomStringConvertible, Equatable, Sendable {
    public var location: String
    public var reason: String

    public init(_ location: String, _ reason: String) {
        self.location = location
        self.reason = reason
    }

    public var description: String { "\(location): \(reason)" }
}
