// What a resumed run may change. Keys that steer the schedule (epochs, steps per epoch, checkpoint
// and verify intervals) take the resuming job's values, within what the cursor has already done;
// keys of the data, the model and the optimisation must keep the stored value.
import Network

extension TrainingConfiguration {
    /// The configuration a run resumed at `cursor` continues with: `given` (the resuming job's flags
    /// over its --config file) over `self` (the configuration stored in the checkpoint), and one
    /// line per changed key ("epochs 1,1,1 → 1,1,3") for the log.
    public func resumed(with given: TrainingSettings, at cursor: TrainingCursor) throws
        -> (configuration: TrainingConfiguration, changes: [String])
    {
        try checkCursorFits(cursor, source: "the checkpoint")
        let configuration = try given.applied(to: self)
        var refusals: [String] = []
        var changes: [String] = []
        for setting in given.settings {
            let key = ConfigurationKey.named(setting.key)!
            let before = key.shown(self)
            let after = key.shown(configuration)
            guard before != after else { continue }
            switch key.role {
            case .fixed:
                refusals.append(
                    "\(TrainingSettings.label(key, setting.origin)) cannot change on --resume: the run was trained with \(before)"
                )
            case .schedule:
                changes.append("\(key.flag) \(before) → \(after)")
            }
        }
        if !refusals.isEmpty {
            throw TrainingError.usage(refusals.joined(separator: "; ") + "; start a new run directory")
        }
        let label = { (name: String) in
            given.value(of: name).map { TrainingSettings.label(ConfigurationKey.named(name)!, $0.origin) }
        }
        try checkSchedule(
            configuration, at: cursor, epochsLabel: label("epochs") ?? "--epochs",
            stepsLabel: label("stepsPerEpoch") ?? "--steps-per-epoch")
        return (configuration, changes)
    }

    /// Refuses a new schedule that takes back what the cursor has done: a finished phase keeps its
    /// epochs (the next phase started from its best weights), the current phase keeps at least the
    /// epochs it has started, and the current epoch at least the steps it has taken.
    func checkSchedule(_ new: TrainingConfiguration, at cursor: TrainingCursor, epochsLabel: String, stepsLabel: String)
        throws
    {
        let shown = new.epochs.map(String.init).joined(separator: ",")
        let atPhaseStart = cursor.epoch == 0 && cursor.batchInEpoch == 0
        // At the start of a phase, phases after the last trained one have not begun (they had 0
        // epochs, or are the one about to start): all of them are still free.
        let settled: Phase?
        if let phase = cursor.phase, !atPhaseStart {
            settled = Phase.allCases.last { $0 < phase }
        } else {
            settled = lastTrainedPhase(before: cursor.phase)
        }
        for phase in Phase.allCases
        where settled.map({ phase <= $0 }) == true && new.epochs(of: phase) != epochs(of: phase) {
            let was = epochs(of: phase)
            throw TrainingError.usage(
                "\(epochsLabel) \(shown): phase \(phase.rawValue) "
                    + (was > 0
                        ? "has finished after \(was) epoch(s) and the next phase started from its best weights"
                        : "was skipped (0 epochs) and a later phase has started")
                    + ", so its count must stay \(was) on --resume")
        }
        guard let phase = cursor.phase, !atPhaseStart else { return }
        let started = cursor.epoch + (cursor.batchInEpoch > 0 ? 1 : 0)
        if new.epochs(of: phase) < started {
            throw TrainingError.usage(
                "\(epochsLabel) \(shown): phase \(phase.rawValue) has already "
                    + (cursor.batchInEpoch > 0 ? "started epoch \(started)" : "trained \(cursor.epoch) epoch(s)")
                    + " (step \(cursor.globalStep)); give it at least \(started)")
        }
        if new.stepsPerEpoch < cursor.batchInEpoch {
            throw TrainingError.usage(
                "\(stepsLabel) \(new.stepsPerEpoch): epoch \(cursor.epoch + 1) of phase \(phase.rawValue) "
                    + "has already taken \(cursor.batchInEpoch) steps; give at least \(cursor.batchInEpoch)")
        }
    }

    /// Where a run resumed at `cursor` continues under `new`; `self` is the schedule it was trained
    /// with. A cursor at the start of a phase (or at the end of the run) stands just after the last
    /// trained phase, with that phase's best weights and a fresh optimizer: the state from which a
    /// straight run with the new schedule starts its next phase with epochs. So the cursor moves
    /// there (forward past phases now at 0 epochs, or back from the end of the run to a phase that
    /// has gained epochs). Any other cursor stays.
    public func resumeCursor(_ cursor: TrainingCursor, continuingWith new: TrainingConfiguration) -> TrainingCursor {
        guard cursor.epoch == 0, cursor.batchInEpoch == 0 else { return cursor }
        var moved = cursor
        moved.phase = new.phase(after: lastTrainedPhase(before: cursor.phase))
        return moved
    }

    /// Refuses a cursor that its own configuration could not have produced (the cursor is metadata
    /// of the checkpoint, outside its checksum), before any of its numbers indexes anything.
    public func checkCursorFits(_ cursor: TrainingCursor, source: String) throws {
        let inSchedule = cursor.phase.map {
            (0...epochs(of: $0)).contains(cursor.epoch) && (0...stepsPerEpoch).contains(cursor.batchInEpoch)
        }
        let fits =
            cursor.globalStep >= 0 && cursor.worldSize >= 1
            && (inSchedule ?? (cursor.epoch == 0 && cursor.batchInEpoch == 0))
        guard fits else {
            let phase = cursor.phase.map { "phase \($0.rawValue)" } ?? "finished"
            throw TrainingError(
                "\(source): its cursor (\(phase), epoch \(cursor.epoch), step \(cursor.batchInEpoch) of the epoch, "
                    + "world size \(cursor.worldSize)) does not fit its own schedule (epochs \(epochs.map(String.init).joined(separator: ",")), "
                    + "\(stepsPerEpoch) steps per epoch): the checkpoint is damaged")
        }
    }

    /// The last phase before `phase` (before the end of the run when nil) with epochs by this
    /// configuration's counts; nil: none.
    func lastTrainedPhase(before phase: Phase?) -> Phase? {
        Phase.allCases.last { (phase == nil || $0 < phase!) && epochs(of: $0) > 0 }
    }
}
