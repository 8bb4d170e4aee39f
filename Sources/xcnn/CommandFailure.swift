// An error the command line reports to the user as is: a sentence naming the thing that failed.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    /// A wrong command (a flag, a flag that conflicts with the run directory's state) rather than a
    /// failure of the work: answered with the usage line and exit 64, as ArgumentParser does.
    var isUsage = false
    init(_ description: String) { self.description = description }

    static func usage(_ description: String) -> CommandFailure {
        var failure = CommandFailure(description)
        failure.isUsage = true
        return failure
    }
}
