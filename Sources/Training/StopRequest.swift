// SIGTERM and SIGUSR1 ask training to stop at the next step boundary with a checkpoint: batch
// systems send them before killing a job (Slurm: SIGTERM to srun-launched ranks, KillWait later
// SIGKILL; mpirun forwards SIGUSR1 to every rank but answers SIGTERM by killing the job itself).
import Foundation
import Synchronization

public enum StopRequest {
    /// The signal number received, or 0. Written only from the handler (an atomic store is
    /// async-signal-safe), read once per step.
    private static let received = Atomic<Int32>(0)

    /// Installs the handlers (once per process, before training).
    public static func install() {
        for number in [SIGTERM, SIGUSR1] {
            signal(number) { StopRequest.received.store($0, ordering: .relaxed) }
        }
    }

    /// The signal that asked to stop, if any.
    public static var pendingSignal: Int32? {
        let number = received.load(ordering: .relaxed)
        return number == 0 ? nil : number
    }

    /// "SIGTERM" or "SIGUSR1" (or "signal N").
    public static func name(_ number: Int32) -> String {
        switch number {
        case SIGTERM: return "SIGTERM"
        case SIGUSR1: return "SIGUSR1"
        default: return "signal \(number)"
        }
    }
}
