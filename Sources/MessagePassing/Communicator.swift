// The MPI world as training sees it: rank, size, and the few collectives a data-parallel step
// needs. It knows nothing of layers; buffers are flat Float or Double arrays.
import CMPI
import Foundation

/// A handle on MPI_COMM_WORLD. Without mpirun, MPI starts as a singleton: a world of size 1.
///
/// MPI is initialised once per process (MPI cannot be re-initialised after finalising), with
/// MPI_THREAD_SERIALIZED; every call goes through one lock so that concurrent callers, such as
/// parallel tests, never enter MPI at the same time.
public final class Communicator: @unchecked Sendable {
    public let rank: Int
    public let size: Int
    private let comm: MPI_Comm
    private let lock = NSLock()

    private static let startup = NSLock()
    nonisolated(unsafe) private static var shared: Communicator?
    nonisolated(unsafe) private static var initialisedHere = false

    private init(comm: MPI_Comm) throws {
        self.comm = comm
        var rank: Int32 = 0
        var size: Int32 = 0
        try MessagePassingError.check(MPI_Comm_rank(comm, &rank), "MPI_Comm_rank", rank: -1)
        try MessagePassingError.check(MPI_Comm_size(comm, &size), "MPI_Comm_size", rank: Int(rank))
        self.rank = Int(rank)
        self.size = Int(size)
    }

    /// The world communicator, initialising MPI on first use. Errors come back as Swift errors
    /// (MPI_ERRORS_RETURN) instead of MPI's default of aborting.
    public static func world() throws -> Communicator {
        startup.lock()
        defer { startup.unlock() }
        if let shared { return shared }
        var initialised: Int32 = 0
        MPI_Initialized(&initialised)
        if initialised == 0 {
            if !launchedByMPIRun {
                // A singleton would otherwise fork a helper daemon (orted) during MPI_Init; a fork
                // while another thread is inside threaded OpenBLAS can hang it (seen in parallel
                // tests), and a world of one never needs the daemon.
                setenv("OMPI_MCA_ess_singleton_isolated", "1", 0)
            }
            var provided: Int32 = 0
            let code = MPI_Init_thread(nil, nil, Int32(MPI_THREAD_SERIALIZED), &provided)
            try MessagePassingError.check(code, "MPI_Init_thread", rank: -1)
            initialisedHere = true
        }
        let world: MPI_Comm = xcnn_mpi_comm_world()!
        try MessagePassingError.check(
            MPI_Comm_set_errhandler(world, xcnn_mpi_errors_return()), "MPI_Comm_set_errhandler", rank: -1)
        let communicator = try Communicator(comm: world)
        shared = communicator
        return communicator
    }

    /// True when this process was started by mpirun (or another PMIx launcher), as opposed to a
    /// singleton. Decided from the environment, so it is known before MPI starts.
    public static var launchedByMPIRun: Bool {
        let env = ProcessInfo.processInfo.environment
        return env["OMPI_COMM_WORLD_SIZE"] != nil || env["PMIX_RANK"] != nil
    }

    /// Finalises MPI if this module initialised it and nothing has finalised it yet. Call once,
    /// at the very end of the process; MPI cannot be used afterwards.
    public static func finalize() {
        startup.lock()
        defer { startup.unlock() }
        var finalized: Int32 = 0
        MPI_Finalized(&finalized)
        if initialisedHere && finalized == 0 { MPI_Finalize() }
    }

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    // MARK: Collectives

    /// In-place element-wise sum over all ranks; every rank ends with the same values.
    public func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws {
        guard size > 1, buffer.count > 0 else { return }
        try locked {
            // MPI counts are Int32: reduce very large buffers in chunks.
            var offset = 0
            while offset < buffer.count {
                let count = min(buffer.count - offset, Int(Int32.max))
                let code = MPI_Allreduce(
                    xcnn_mpi_in_place(), buffer.baseAddress! + offset, Int32(count),
                    xcnn_mpi_float(), xcnn_mpi_sum(), comm)
                try MessagePassingError.check(code, "MPI_Allreduce(\(count) floats)", rank: rank)
                offset += count
            }
        }
    }

    public func allreduceSum(_ buffer: inout [Float]) throws {
        try buffer.withUnsafeMutableBufferPointer { try allreduceSum($0) }
    }

    /// In-place mean over ranks: a sum, then a scale by 1/size.
    public func allreduceAverage(_ buffer: UnsafeMutableBufferPointer<Float>) throws {
        try allreduceSum(buffer)
        guard size > 1 else { return }
        let scale = 1 / Float(size)
        for i in buffer.indices { buffer[i] *= scale }
    }

    public func allreduceAverage(_ buffer: inout [Float]) throws {
        try buffer.withUnsafeMutableBufferPointer { try allreduceAverage($0) }
    }

    /// In-place reduction of a few Double values (metrics, loss sums, flags).
    public func allreduce(_ buffer: inout [Double], _ operation: ReductionOperation) throws {
        guard size > 1, !buffer.isEmpty else { return }
        let op: MPI_Op
        switch operation {
        case .sum: op = xcnn_mpi_sum()
        case .max: op = xcnn_mpi_max()
        case .min: op = xcnn_mpi_min()
        }
        try locked {
            try buffer.withUnsafeMutableBufferPointer { pointer in
                let code = MPI_Allreduce(
                    xcnn_mpi_in_place(), pointer.baseAddress, Int32(pointer.count),
                    xcnn_mpi_double(), op, comm)
                try MessagePassingError.check(code, "MPI_Allreduce(\(pointer.count) doubles)", rank: rank)
            }
        }
    }

    /// Overwrites `buffer` on every rank with root's values. Sizes must agree on all ranks.
    public func broadcast(_ buffer: UnsafeMutableBufferPointer<Float>, root: Int = 0) throws {
        try broadcastRaw(UnsafeMutableRawBufferPointer(buffer), root: root)
    }

    public func broadcast(_ buffer: inout [Float], root: Int = 0) throws {
        try buffer.withUnsafeMutableBufferPointer { try broadcast($0, root: root) }
    }

    /// Broadcasts a byte string of any length: the length first, then the bytes.
    public func broadcast(bytes: [UInt8], root: Int = 0) throws -> [UInt8] {
        guard size > 1 else { return bytes }
        var length = [Double(rank == root ? bytes.count : 0)]
        try length.withUnsafeMutableBytes { try broadcastRaw($0, root: root) }
        var received = rank == root ? bytes : [UInt8](repeating: 0, count: Int(length[0]))
        try received.withUnsafeMutableBytes { try broadcastRaw($0, root: root) }
        return received
    }

    private func broadcastRaw(_ buffer: UnsafeMutableRawBufferPointer, root: Int) throws {
        guard size > 1, buffer.count > 0 else { return }
        precondition(root >= 0 && root < size, "broadcast root \(root) outside world of size \(size)")
        try locked {
            var offset = 0
            while offset < buffer.count {
                let count = min(buffer.count - offset, Int(Int32.max))
                let code = MPI_Bcast(buffer.baseAddress! + offset, Int32(count), xcnn_mpi_byte(), Int32(root), comm)
                try MessagePassingError.check(code, "MPI_Bcast(\(count) bytes from rank \(root))", rank: rank)
                offset += count
            }
        }
    }

    /// Gathers the same number of Doubles from every rank; result[r] is rank r's values.
    public func allgather(_ values: [Double]) throws -> [[Double]] {
        guard size > 1 else { return [values] }
        var received = [Double](repeating: 0, count: values.count * size)
        try locked {
            var send = values
            try send.withUnsafeMutableBufferPointer { sendPointer in
                try received.withUnsafeMutableBufferPointer { receivePointer in
                    let code = MPI_Allgather(
                        sendPointer.baseAddress, Int32(values.count), xcnn_mpi_double(),
                        receivePointer.baseAddress, Int32(values.count), xcnn_mpi_double(), comm)
                    try MessagePassingError.check(code, "MPI_Allgather(\(values.count) doubles)", rank: rank)
                }
            }
        }
        return (0..<size).map { Array(received[($0 * values.count)..<(($0 + 1) * values.count)]) }
    }

    /// Gathers a byte string of any length from every rank; result[r] is rank r's bytes. Lengths
    /// are gathered first, then every rank sends its bytes padded to the longest.
    public func allgather(bytes: [UInt8]) throws -> [[UInt8]] {
        guard size > 1 else { return [bytes] }
        let lengths = try allgather([Double(bytes.count)]).map { Int($0[0]) }
        let longest = lengths.max() ?? 0
        guard longest > 0 else { return lengths.map { _ in [] } }
        var send = bytes + [UInt8](repeating: 0, count: longest - bytes.count)
        var received = [UInt8](repeating: 0, count: longest * size)
        try locked {
            try send.withUnsafeMutableBufferPointer { sendPointer in
                try received.withUnsafeMutableBufferPointer { receivePointer in
                    let code = MPI_Allgather(
                        sendPointer.baseAddress, Int32(longest), xcnn_mpi_byte(),
                        receivePointer.baseAddress, Int32(longest), xcnn_mpi_byte(), comm)
                    try MessagePassingError.check(code, "MPI_Allgather(\(longest) bytes)", rank: rank)
                }
            }
        }
        return (0..<size).map { Array(received[($0 * longest)..<($0 * longest + lengths[$0])]) }
    }

    public func barrier() throws {
        guard size > 1 else { return }
        try locked {
            try MessagePassingError.check(MPI_Barrier(comm), "MPI_Barrier", rank: rank)
        }
    }

    /// Ends every rank of the job. Only the executable calls this, after printing its reason.
    public func abort(code: Int32) -> Never {
        MPI_Abort(comm, code)
        exit(code)
    }

    // MARK: Description

    /// The MPI library's own version string, e.g. "Open MPI v4.1.4, ...".
    public static var libraryVersion: String {
        var buffer = [CChar](repeating: 0, count: Int(xcnn_mpi_max_library_version_string()) + 1)
        var length: Int32 = 0
        guard MPI_Get_library_version(&buffer, &length) == MPI_SUCCESS else { return "unknown" }
        let text = String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return text.split(separator: "\n").first.map(String.init) ?? text
    }

    /// The host name MPI reports for this rank.
    public var processorName: String {
        var buffer = [CChar](repeating: 0, count: Int(MPI_MAX_PROCESSOR_NAME) + 1)
        var length: Int32 = 0
        guard MPI_Get_processor_name(&buffer, &length) == MPI_SUCCESS else { return "unknown" }
        return String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

public enum ReductionOperation: Sendable {
    case sum, max, min
}
