// The Training module's one error type: what failed and where (file path, rank, tensor, flag).
public struct TrainingError: Error, CustomStringConvertible, Equatable, Sendable {
    public let description: String
    /// The user's command or configuration is wrong (a flag, a --config file, a flag that cannot
    /// change on --resume), not the run: the command line answers with its usage, exit 64.
    public private(set) var isUsage = false

    /// A complete sentence that already names the thing (file, flag, tensor).
    public init(_ description: String) { self.description = description }

    /// `location`: the component or file; `reason`: what went wrong there.
    public init(_ location: String, _ reason: String) { self.description = "\(location): \(reason)" }

    public static func usage(_ description: String) -> TrainingError {
        var error = TrainingError(description)
        error.isUsage = true
        return error
    }
}
