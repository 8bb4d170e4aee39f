// One job per run directory: a second lock is refused naming the holder, and the lock ends with
// its holder. (A holder killed with SIGKILL is tested across processes in scripts/test-train.)
import Foundation
import Testing

@testable import Training

@Suite struct RunLockTests {
    @Test func aSecondLockIsRefusedNamingHostAndPIDUntilTheFirstEnds() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("runlock-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = RunDirectory(path: directory.appendingPathComponent("run").path)
        var first: RunLock? = try RunLock(run)
        #expect(first != nil)
        // flock belongs to the open file, so a second open in this same process conflicts like another job.
        let error = #expect(throws: TrainingError.self) { try RunLock(run) }
        #expect(
            error?.description.contains("is in use by another job (host \(RunLock.hostName) pid \(getpid()); lock file")
                == true)
        first = nil
        #expect(throws: Never.self) { _ = try RunLock(run) }
    }
}
