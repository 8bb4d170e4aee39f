// `xcnn check-mpi`: proves the collectives on the real launcher. Every rank computes the exact
// values it must receive and compares bit for bit; `--fail-rank` makes one rank die, to prove that
// the job then ends with a message naming it instead of hanging.
import ArgumentParser
import Foundation
import MessagePassing

struct CheckMPICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-mpi",
        abstract: "Check allreduce, broadcast, allgather and barrier across the ranks of this job."
    )

    enum FailureMode: String, ExpressibleByArgument, CaseIterable {
        case error  // the rank reports an error and aborts the job
        case exit  // the rank exits with status 3 without telling MPI
        case kill  // the rank sends itself SIGKILL
    }

    @Option(help: "Number of floats in the large allreduce (default: 2M = 8 MB, the model's gradient size).")
    var count = 2_097_152

    @Option(help: "Make this rank fail after the first barrier (tests the failure path).")
    var failRank: Int?

    @Option(help: "How the failing rank fails: \(FailureMode.allCases.map(\.rawValue).joined(separator: ", ")).")
    var failMode: FailureMode = .error

    func validate() throws {
        guard count >= 1 else { throw ValidationError("--count must be at least 1, got \(count)") }
    }

    func run() throws {
        _ = try BLASSetup.configure()
        let world = try Communicator.world()
        let rank = world.rank
        let size = world.size
        try world.barrier()

        if let failRank, failRank == rank {
            switch failMode {
            case .error: throw CommandFailure("check-mpi: rank \(rank) fails on purpose (--fail-rank \(failRank))")
            case .exit: Foundation.exit(3)
            case .kill: kill(getpid(), SIGKILL)
            }
        }
        // Values are small integers, so sums are exact in float32 whatever the reduction order.
        var failures: [String] = []
        func expect(_ condition: Bool, _ what: String) { if !condition { failures.append(what) } }

        var sum = (0..<count).map { Float(rank + 1 + $0 % 1000) }
        try world.allreduceSum(&sum)
        let rankTotal = Float(size * (size + 1) / 2)
        expect((0..<count).allSatisfy { sum[$0] == rankTotal + Float(size * ($0 % 1000)) }, "allreduce sum")

        var average = (0..<count).map { Float(rank + 1 + $0 % 1000) }
        try world.allreduceAverage(&average)
        // The average is the exact sum scaled by 1/size, the same operation the communicator does.
        let scale = 1 / Float(size)
        expect(
            (0..<count).allSatisfy { average[$0] == (rankTotal + Float(size * ($0 % 1000))) * scale },
            "allreduce average")

        for root in 0..<size {
            var values = (0..<1000).map { Float(rank * 1000 + $0) }
            try world.broadcast(&values, root: root)
            expect(values == (0..<1000).map { Float(root * 1000 + $0) }, "broadcast from rank \(root)")
        }
        let text = try world.broadcast(bytes: Array("hello from rank 0 of \(size)".utf8))
        expect(String(decoding: text, as: UTF8.self) == "hello from rank 0 of \(size)", "byte broadcast")

        let gathered = try world.allgather([Double(rank), Double(rank * rank)])
        expect(gathered == (0..<size).map { [Double($0), Double($0 * $0)] }, "allgather")

        // Byte strings of different lengths (rank r sends r + 1 copies of its letter; rank 1 none).
        let mine = rank == 1 ? [] : [UInt8](repeating: UInt8(65 + rank % 26), count: rank + 1)
        let strings = try world.allgather(bytes: mine)
        expect(
            strings == (0..<size).map { $0 == 1 ? [] : [UInt8](repeating: UInt8(65 + $0 % 26), count: $0 + 1) },
            "byte allgather")

        var extremes = [Double(rank)]
        try world.allreduce(&extremes, .max)
        expect(extremes == [Double(size - 1)], "allreduce max")
        try world.barrier()

        if !failures.isEmpty {
            throw CommandFailure(
                "check-mpi: rank \(rank) of \(size) got wrong values from: \(failures.joined(separator: ", "))")
        }
        print(
            "rank \(rank) of \(size): allreduce sum and average (\(count) floats), broadcast, allgather (doubles and bytes), max, barrier: OK"
        )
    }
}
