// The Training module's one error type: what failed and where (file path, rank, tensor, flag).
public struct TrainingError: Error, CustomStringConvertible, Equatable, Sendable {
    public let description: String
    /// The user's command or configuration is wrong (a flag, a --config file, a flag that cannot
    /// change on --resume), not the run: the command line answers with its usage, exit 64.
    public private(set) var isUsage = false
    /// Every rank raises this error at the same point of the run (a non-finite loss, a decision of
    /// rank 0 shared with all): the job can end cleanly, with one message instead of one per rank.
    public private(set) var isCollective = false

    /// A complete sentence that already names the thing (file, flag, tensor).
    public init(_ description: String) { self.description = description }

    /// `location`: the component or file; `reason`: what went wrong there.
    public init(_ location: String, _ reason: String) { self.description = "\(location): \(reason)" }

    public static func usage(_ description: String) -> TrainingError {
        var error = TrainingError(description)
        error.isUsage = true
        return error
    }

    /// An error all ranks raise together; `usage` when the user's command was wrong on the deciding rank.
    public static func collective(_ description: String, usage: Bool = false) -> TrainingError {
        var error = TrainingError(description)
        error.isUsage = usage
        error.isCollective = true
        return error
    }
}
