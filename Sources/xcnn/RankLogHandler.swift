// Log lines on stderr. Rank 0 tells the run's story; other ranks log only warnings and errors,
// prefixed with their rank.
import Foundation
import Logging

struct RankLogHandler: LogHandler {
    let rank: Int
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let prefix = rank > 0 ? "[rank \(rank)] " : ""
        let tag = event.level >= .warning ? "\(event.level): " : ""
        FileHandle.standardError.write(Data("\(prefix)\(tag)\(event.message)\n".utf8))
    }

    static func makeLogger(rank: Int, verbose: Bool = false) -> Logger {
        let level: Logger.Level = rank == 0 ? (verbose ? .debug : .info) : .warning
        return Logger(label: "xcnn") { _ in RankLogHandler(rank: rank, logLevel: level) }
    }
}
