// The communicator in a world of size 1 (plain `swift test`, no mpirun): collectives are identities.
// Multi-rank behaviour is proven under real mpirun by scripts/test (xcnn check-mpi).
import MessagePassing
import Testing

@Suite struct CommunicatorTests {
    @Test func singletonWorldHasOneRank() throws {
        let world = try Communicator.world()
        #expect(world.size == 1)
        #expect(world.rank == 0)
        #expect(try Communicator.world() === world)
    }

    @Test func collectivesAreIdentitiesOnOneRank() throws {
        let world = try Communicator.world()
        var values: [Float] = [1, -2.5, 3e-8]
        try world.allreduceSum(&values)
        #expect(values == [1, -2.5, 3e-8])
        try world.allreduceAverage(&values)
        #expect(values == [1, -2.5, 3e-8])
        try world.broadcast(&values, root: 0)
        #expect(values == [1, -2.5, 3e-8])
        #expect(try world.broadcast(bytes: [7, 8, 9]) == [7, 8, 9])
        #expect(try world.allgather([4, 5]) == [[4, 5]])
        var doubles = [2.0, 3.0]
        try world.allreduce(&doubles, .max)
        #expect(doubles == [2, 3])
        try world.barrier()
    }

    @Test func libraryVersionNamesOpenMPI() {
        #expect(Communicator.libraryVersion.contains("Open MPI"))
    }
}
