// One job per run directory: rank 0 holds an exclusive flock on `<run>/lock` for the whole job, and
// writes its host and PID into the file so a second job can name the holder. The kernel drops the
// lock when the process ends in any way (SIGKILL included), so a stale file never blocks a resume.
import Foundation

public final class RunLock {
    public let url: URL
    private let descriptor: Int32

    /// Takes the lock of `run` without waiting, creating the directory and the lock file as needed;
    /// when another process holds it, the error names that job's host and PID.
    public init(_ run: RunDirectory) throws {
        url = run.url.appendingPathComponent("lock")
        do {
            try FileManager.default.createDirectory(at: run.url, withIntermediateDirectories: true)
        } catch {
            throw TrainingError("cannot create run directory \(run.url.path): \(error.localizedDescription)")
        }
        let descriptor = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw TrainingError("cannot open the lock file \(url.path): \(String(cString: strerror(errno)))")
        }
        var result: Int32
        repeat { result = flock(descriptor, LOCK_EX | LOCK_NB) } while result != 0 && errno == EINTR
        guard result == 0 else {
            let reason = errno
            let holder = Self.readHolder(descriptor)
            close(descriptor)
            if reason == EWOULDBLOCK {
                throw TrainingError(
                    "run directory \(run.url.path) is in use by another job (\(holder); lock file \(url.path)); "
                        + "wait for that job to end or stop it, then resume")
            }
            throw TrainingError("cannot lock \(url.path): \(String(cString: strerror(reason)))")
        }
        self.descriptor = descriptor
        let record = Array("host \(Self.hostName) pid \(getpid())\n".utf8)
        // Best effort: the lock itself is the flock; the text only names the holder.
        if ftruncate(descriptor, 0) == 0 {
            _ = record.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, record.count, 0) }
        }
    }

    deinit { close(descriptor) }

    static var hostName: String {
        var name = [UInt8](repeating: 0, count: 256)
        let result = name.withUnsafeMutableBufferPointer {
            gethostname(UnsafeMutableRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), 255)
        }
        guard result == 0 else { return "unknown host" }
        return String(decoding: name.prefix { $0 != 0 }, as: UTF8.self)
    }

    /// The holder as written in the file ("host h pid 123"), or a note when the file says nothing
    /// usable (the holder may still be writing it).
    static func readHolder(_ descriptor: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 256)
        let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, 255, 0) }
        guard count > 0 else { return "host and PID not yet recorded" }
        let text = String(decoding: buffer[0..<count], as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
            .filter { !$0.isNewline && $0.isASCII && ($0.isLetter || $0.isNumber || " .-_:".contains($0)) }
        return text.isEmpty ? "host and PID not recorded" : text
    }
}
