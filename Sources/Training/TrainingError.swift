// The Training module's one error type: what failed and where (file path, rank, tensor, flag).
public struct TrainingError: Error, CustomStringConvertible, Equatable, Sendable {
    public let description: String

    /// A complete sentence that already names the thing (file, flag, tensor).
    public init(_ description: String) { self.description = description }

    /// `location`: the component or file; `reason`: what went wrong there.
    public init(_ location: String, _ reason: String) { self.description = "\(location): \(reason)" }
}
