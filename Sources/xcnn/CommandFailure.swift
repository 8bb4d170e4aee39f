// An error the command line reports to the user as is: a sentence naming the thing that failed.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
