// Log lines on stderr, prefixed with the rank when the world has more than one; ranks other than 0
// log only warnings and errors so that a run prints one story, not N.
import Foundation
import Logging

struct RankLogHandler: LogHandler {
    let rank: Int
    let worldSize: Int
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let prefix = worldSize > 1 ? "[rank \(rank)] " : ""
        let tag = event.level >= .warning ? "\(event.level): " : ""
        FileHandle.standardError.write(Data("\(prefix)\(tag)\(event.message)\n".utf8))
    }

    static func makeLogger(rank: Int, worldSize: Int, verbose: Bool = false) -> Logger {
        let level: Logger.Level = rank == 0 ? (verbose ? .debug : .info) : .warning
        return Logger(label: "xcnn") { _ in RankLogHandler(rank: rank, worldSize: worldSize, logLevel: level) }
    }
}
