// Test hook for scripts/chaos: XCNN_CHECKPOINT_PAUSE=<point>:<seconds> makes the checkpoint writer
// sleep at one point of CheckpointFile.write, so that a SIGKILL lands inside the write deliberately
// instead of by luck (a small checkpoint is written and renamed within a millisecond). Unset or
// malformed, it does nothing; it never changes what is written.
import Foundation

enum CheckpointPause {
    enum Point: String {
        /// Half of the bytes are in the temporary file.
        case write
        /// The temporary file is complete and fsynced; the rename has not happened.
        case rename
        /// The rename has happened; the directory is not yet fsynced.
        case renamed
    }

    static let setting: (point: Point, seconds: Double)? = parse(
        ProcessInfo.processInfo.environment["XCNN_CHECKPOINT_PAUSE"])

    static func parse(_ text: String?) -> (point: Point, seconds: Double)? {
        guard let parts = text?.split(separator: ":"), parts.count == 2, let point = Point(rawValue: String(parts[0])),
            let seconds = Double(parts[1]), seconds > 0, seconds <= 60
        else { return nil }
        return (point, seconds)
    }

    static func pause(at point: Point) {
        guard let setting, setting.point == point else { return }
        usleep(UInt32(setting.seconds * 1_000_000))
    }
}
