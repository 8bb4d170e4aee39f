// One training step and one validation pass, each with the collectives that keep ranks identical.
import Datasets
import Foundation
import Kernels
import MessagePassing
import Network

/// Wall-clock cost of one step; images are counted over all ranks.
struct StepTiming {
    var seconds = 0.0
    var images = 0.0
    /// Time inside the step's collectives (metrics and gradient allreduce), including waiting for
    /// the slowest rank.
    var communicationSeconds = 0.0
    /// The part of `communicationSeconds` spent waiting for the slowest rank to finish its forward
    /// and backward pass (a barrier before the first collective), as opposed to moving data.
    var waitSeconds = 0.0

    static func += (total: inout StepTiming, step: StepTiming) {
        total.seconds += step.seconds
        total.images += step.images
        total.communicationSeconds += step.communicationSeconds
        total.waitSeconds += step.waitSeconds
    }
}

extension Trainer {
    /// Dropout draws from (seed, global step, rank): no generator state to save, and a resumed run
    /// draws exactly what it would have.
    func dropoutSeed() -> UInt64 {
        var mixer = SplitMix64(
            seed: cursor.seed ^ (UInt64(cursor.globalStep) &* 0x9E37_79B9_7F4A_7C15) ^ (UInt64(world.rank) << 48))
        return mixer.next()
    }

    /// One optimizer step on every rank; returns what it took.
    func step(phase: Phase, trainable: Range<Int>, sharding: Sharding) throws -> StepTiming {
        let clock = Stopwatch()
        let position = cursor.epoch * configuration.stepsPerEpoch + cursor.batchInEpoch
        let indices = sharding.batch(stream: position)
        let batch = try data.load(indices)
        let result = model.trainingStep(
            input: batch.input, labels: batch.labels, boxMask: batch.boxMask,
            phase: phase, loss: configuration.lossWeights(phase: phase),
            dropoutSeed: dropoutSeed())
        let finite = result.total.isFinite && gradientsAreFinite(trainable)
        // One small reduction carries the metrics, a non-finite flag per rank, and the BN running
        // statistics (averaged every step: the update is linear, so this equals averaging them
        // before use, and it keeps every rank's buffers identical for checkpoints).
        let bufferCount = model.buffers.count
        // Slot 4: whether a rank received a stop signal (ranks may be signalled at slightly different
        // times); the sum makes every rank stop after the same step.
        var reduced =
            [
                result.total, Double(result.correct), Double(indices.count), finite ? 0 : 1,
                StopRequest.pendingSignal == nil ? 0 : 1,
            ] + model.buffers.map(Double.init)
        let communication = Stopwatch()
        // The barrier separates waiting for the slowest rank from the transfers themselves: without
        // it the first allreduce absorbs the wait, and a share of "allreduce" time that is really
        // one rank computing longer (or being descheduled) reads as communication cost.
        try world.barrier()
        let waitSeconds = communication.seconds
        try world.allreduce(&reduced, .sum)
        var communicationSeconds = communication.seconds
        if reduced[3] > 0 {
            let flags = try world.allgather([finite ? 0 : 1])
            let ranks = flags.enumerated().filter { $0.element[0] > 0 }.map { String($0.offset) }
            throw TrainingError.collective(
                "non-finite loss or gradient at phase \(phase.rawValue), epoch \(cursor.epoch + 1), step \(cursor.globalStep + 1) "
                    + "on rank(s) \(ranks.joined(separator: ", ")); training stopped on every rank, checkpoints written before it are intact "
                    + "(try a smaller learning rate or λ)")
        }
        for i in 0..<bufferCount { model.buffers[i] = Float(reduced[5 + i] / Double(world.size)) }
        if reduced[4] > 0 { stopRequested = true }
        let gradientExchange = Stopwatch()
        try model.gradients.withUnsafeMutableBufferPointer { gradients in
            try world.allreduceAverage(UnsafeMutableBufferPointer(rebasing: gradients[trainable]))
        }
        communicationSeconds += gradientExchange.seconds
        let stepInPhase = (cursor.stepsInPhase ?? cursor.epoch * configuration.stepsPerEpoch + cursor.batchInEpoch) + 1
        optimizer.update(parameters: &model.parameters, gradients: model.gradients, range: trainable, step: stepInPhase)
        cursor.stepsInPhase = stepInPhase
        cursor.globalStep += 1
        cursor.batchInEpoch += 1
        cursor.epochTotals.loss += reduced[0] / Double(world.size)
        cursor.epochTotals.correct += reduced[1]
        cursor.epochTotals.images += reduced[2]
        cursor.epochTotals.steps += 1
        let seconds = clock.seconds
        if configuration.verifyEvery > 0, cursor.globalStep % configuration.verifyEvery == 0 {
            try verifyIdenticalParameters()
        }
        let totals = cursor.epochTotals
        report(
            .step(
                StepProgress(
                    phase: phase, epoch: cursor.epoch + 1, epochs: configuration.epochs(of: phase),
                    step: cursor.batchInEpoch, stepsPerEpoch: configuration.stepsPerEpoch,
                    loss: totals.loss / totals.steps, accuracy: totals.correct / totals.images,
                    imagesPerSecond: reduced[2] / seconds)))
        return StepTiming(
            seconds: seconds, images: reduced[2], communicationSeconds: communicationSeconds, waitSeconds: waitSeconds)
    }

    func gradientsAreFinite(_ range: Range<Int>) -> Bool {
        model.gradients.withUnsafeBufferPointer { gradients in
            var sum: Float = 0
            for i in range { sum += gradients[i] * 0 }  // NaN or inf anywhere makes the sum NaN
            return sum == 0
        }
    }

    /// Every rank's parameters hash to the same value, or the run stops naming the ranks that differ.
    func verifyIdenticalParameters() throws {
        let hash = Safetensors.checksum([
            NamedTensor(name: "p", shape: [model.parameters.count], values: model.parameters)
        ])
        let value = Double(UInt64(hash, radix: 16)! >> 12)  // 52 bits fit a Double exactly
        let all = try world.allgather([value])
        let differing = all.enumerated().filter { $0.element[0] != all[0][0] }.map { String($0.offset) }
        guard differing.isEmpty else {
            throw TrainingError(
                "parameters of rank(s) \(differing.joined(separator: ", ")) differ from rank 0's at step \(cursor.globalStep)"
            )
        }
    }

    /// Loss and accuracy on the validation set: each rank takes every size-th image, sums are reduced.
    func validate(phase: Phase) throws -> (loss: Double, accuracy: Double) {
        try recomputeBatchNormStatistics()
        let mine = Array(stride(from: world.rank, to: data.validationIndices.count, by: world.size)).map {
            data.validationIndices[$0]
        }
        var sums = [0.0, 0.0, 0.0]  // loss × images, correct, images
        var offset = 0
        while offset < mine.count {
            let indices = Array(mine[offset..<min(offset + configuration.batch, mine.count)])
            let batch = try data.load(indices)
            let result = model.evaluate(
                input: batch.input, labels: batch.labels, boxMask: batch.boxMask,
                phase: phase, loss: configuration.lossWeights(phase: phase))
            sums[0] += configuration.perImageLoss(result, images: indices.count, phase: phase) * Double(indices.count)
            sums[1] += Double(result.correct)
            sums[2] += Double(indices.count)
            offset += indices.count
        }
        try world.allreduce(&sums, .sum)
        return (sums[0] / max(sums[2], 1), sums[1] / max(sums[2], 1))
    }
}
