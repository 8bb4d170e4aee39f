// The one error type of Training: what failed and where (file, rank, tensor, flag).
public struct TrainingError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
