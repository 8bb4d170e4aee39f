// The Attribution module's one error type: what failed (an argument, a collective) and why.

public struct AttributionError: Error, CustomStringConvertible, Equatable, Sendable {
    public var location: String
    public var reason: String
    public init(_ location: String, _ reason: String) {
        self.location = location
        self.reason = reason
    }
    public var description: String { "\(location): \(reason)" }
}
