// The one error type of MessagePassing: which MPI call failed, on which rank, and MPI's own words.
import CMPI

public struct MessagePassingError: Error, CustomStringConvertible, Sendable {
    public let operation: String
    public let code: Int32
    public let rank: Int
    public let detail: String

    public var description: String {
        "rank \(rank): \(operation) failed (MPI error \(code)): \(detail)"
    }

    /// Turns an MPI return code into a thrown error; MPI_SUCCESS passes through.
    static func check(_ code: Int32, _ operation: String, rank: Int) throws {
        guard code != MPI_SUCCESS else { return }
        throw MessagePassingError(
            operation: operation, code: code, rank: rank,
            detail: errorString(code))
    }

    static func errorString(_ code: Int32) -> String {
        var buffer = [CChar](repeating: 0, count: Int(xcnn_mpi_max_error_string()) + 1)
        var length: Int32 = 0
        guard MPI_Error_string(code, &buffer, &length) == MPI_SUCCESS else { return "unknown error" }
        return String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
