// An error every rank raises at the same point of the run (a non-finite loss, a bad configuration
// decided by rank 0): the job can end cleanly, with one message instead of one per rank.
public struct CollectiveFailure: Error, CustomStringConvertible, Sendable {
    public let description: String
    /// The user's command was wrong (TrainingError.isUsage on the deciding rank): exit 64 with usage.
    public let isUsage: Bool
    public init(_ description: String, isUsage: Bool = false) {
        self.description = description
        self.isUsage = isUsage
    }
}
