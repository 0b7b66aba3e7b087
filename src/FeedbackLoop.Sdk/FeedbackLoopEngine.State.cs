using FeedbackLoop.Models;
using FeedbackLoop.Registry;
using FeedbackLoop.State;

namespace FeedbackLoop;

/// <summary>
/// Starting and resuming: a loop loads its champion through the registry's alias and the artifact loader, and its own
/// state (monitors, rolling outcomes, signals, counters, the policy's clock, the latest drift retrained for, a shared
/// loop's position in the stream of applied events) from its loop-state store; it saves that state once per cycle, from
/// the final report, and when it is disposed (a shared loop: by the cycles it leads).
/// </summary>
internal sealed partial class FeedbackLoopEngine
{
    private const string StateKind = "FeedbackLoopState";
    private const int StateVersion = 5;

    private readonly Lock _startSync = new();
    private Task? _start;
    private long _stateRevision;
    private DateTimeOffset _startedAt;
    private string _championLoadFailure = string.Empty;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var start = Volatile.Read(ref _start);
        if (start is { IsCompletedSuccessfully: true })
        {
            return start;
        }

        lock (_startSync)
        {
            // A start that failed (the registry or the state store was unreachable) is tried again by the next caller.
            if (_start is null || _start.IsFaulted || _start.IsCanceled)
            {
                _start = StartCoreAsync();
            }

            return _start.WaitAsync(cancellationToken);
        }
    }

    private bool IsStarted => Volatile.Read(ref _start) is { IsCompletedSuccessfully: true };

    private async Task StartCoreAsync()
    {
        if (Volatile.Read(ref _serving).Champion is null
            && await _registry.GetByAliasAsync(Name, ModelAliases.Champion, CancellationToken.None).ConfigureAwait(false) is { } champion)
        {
            await ServeChampionAsync(champion).ConfigureAwait(false);
        }

        WatchChampion();
        if (await _stateStore.LoadAsync(Name, CancellationToken.None).ConfigureAwait(false) is { } saved)
        {
            RestoreSaved(saved);
        }
    }

    /// <summary>Takes a saved state's revision and restores it; a state that cannot be restored is contained, logged, and the loop goes on afresh.</summary>
    /// <returns>Whether it was restored.</returns>
    private bool RestoreSaved(SavedLoopState saved)
    {
        _stateRevision = saved.Revision;
        if (_failures.TryInvoke("state", Name, saved.State, Restore))
        {
            return true;
        }

        Log.StateNotRestored(_logger, Name, saved.Revision);
        return false;
    }

    /// <summary>
    /// Loads the champion and serves it. A champion that does not load (its artifact fails its SHA-256 check, the loader
    /// throws) is refused, reported as a contained failure, and the champions before it — latest first, as the alias
    /// history has them — are tried in turn, so the loop serves the last good one; the alias is left for the host to
    /// move. With none loadable the loop has no champion, and <see cref="Predict"/> says why.
    /// </summary>
    private async Task ServeChampionAsync(ModelVersion champion)
    {
        var history = await _registry.GetAliasHistoryAsync(Name, ModelAliases.Champion, CancellationToken.None).ConfigureAwait(false);
        var refused = new List<string>();
        foreach (var version in RollbackTarget.Standing(history).Prepend(champion.Version).Distinct())
        {
            var candidate = version == champion.Version ? champion : await _registry.GetVersionAsync(Name, version, CancellationToken.None).ConfigureAwait(false);
            if (candidate is null)
            {
                continue;
            }

            try
            {
                SetLive(candidate, await LoadPredictorAsync(candidate, CancellationToken.None).ConfigureAwait(false));
                _championLoadFailure = string.Empty;
                return;
            }
#pragma warning disable CA1031 // Any loader failure refuses that version, reported, rather than leaving the loop unable to start.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                _failures.Contain("loader", candidate.ToString(), exception);
                refused.Add($"Loading {(candidate.Version == champion.Version ? "champion " : string.Empty)}{candidate} failed: {exception.GetType().Name}: {exception.Message}");
            }
        }

        _championLoadFailure = $" {string.Join("; ", refused)}.";
    }

    private void Restore(StateSnapshot snapshot)
    {
        // Earlier versions read on: version 3 lacks the latest drift and the shared stream's position, version 4 the latest drift.
        var version = snapshot.Version;
        var reader = SnapshotReader.Open(snapshot, StateKind, version is 3 or 4 ? version : StateVersion);
        var task = ReadTask(ref reader);
        if (!task.Equals(Task))
        {
            // Outcomes and detector evidence of another task would be misread: start afresh, reported as a contained failure.
            throw new InvalidOperationException($"The saved state is of a {task} loop; loop '{Name}' is {Task}.");
        }

        var cycles = reader.ReadInt64();
        var startedAt = new DateTimeOffset(reader.ReadInt64(), TimeSpan.Zero);
        DateTimeOffset? lastTrainedAt = reader.ReadBoolean() ? new DateTimeOffset(reader.ReadInt64(), TimeSpan.Zero) : null;
        DateTimeOffset? latestDriftAt = version > 4 && reader.ReadBoolean() ? new DateTimeOffset(reader.ReadInt64(), TimeSpan.Zero) : null;
        if (cycles < 0)
        {
            throw reader.Corrupt("the cycle count is negative");
        }

        // −1: the monitors saw the loop's past without the shared stream (saved before it existed, or by a loop alone).
        var position = version > 3 ? reader.ReadInt64() : -1;
        if (position < -1)
        {
            throw reader.Corrupt("the shared stream's position is below -1");
        }

        _monitors.ReadFrom(ref reader);
        _sharedPosition = position;
        _cycles = cycles;
        _startedAt = startedAt;
        _lastTrainedAt = lastTrainedAt;
        _latestDriftAt = latestDriftAt;
    }

    private StateSnapshot Snapshot()
    {
        var writer = WriteTask(new SnapshotWriter(StateKind, StateVersion), Task).Write(_cycles).Write(_startedAt.UtcTicks).Write(_lastTrainedAt is not null);
        if (_lastTrainedAt is { } trained)
        {
            writer.Write(trained.UtcTicks);
        }

        writer.Write(_latestDriftAt is not null);
        if (_latestDriftAt is { } drift)
        {
            writer.Write(drift.UtcTicks);
        }

        _monitors.WriteTo(writer.Write(_coordinator is null ? -1 : _sharedPosition));
        return writer.ToSnapshot();
    }

    /// <summary>Writes a task as its kind and its classes, each on its own (a class name may hold any text).</summary>
    private static SnapshotWriter WriteTask(SnapshotWriter writer, ModelTask task)
    {
        writer.Write((int)task.Kind).Write(task.Classes.Count);
        foreach (var name in task.Classes)
        {
            writer.Write(name);
        }

        return writer;
    }

    private static ModelTask ReadTask(ref SnapshotReader reader)
    {
        var kind = (ModelTaskKind)reader.ReadInt32();
        var count = reader.ReadInt32();
        if (count is < 0 or > ModelTask.MaxClasses)
        {
            throw reader.Corrupt($"a task with {count} classes is out of range");
        }

        var classes = new string[count];
        for (var i = 0; i < count; i++)
        {
            classes[i] = reader.ReadString(1 << 20);
        }

        switch (kind)
        {
            case ModelTaskKind.Binary when count == 0:
                return ModelTask.Binary;
            case ModelTaskKind.Regression when count == 0:
                return ModelTask.Regression;
            case ModelTaskKind.Multiclass:
                try
                {
                    return ModelTask.Multiclass(classes);
                }
                catch (ArgumentException exception)
                {
                    throw reader.Corrupt($"the saved task's classes are not valid: {exception.Message}");
                }

            default:
                throw reader.Corrupt($"a task of kind {(int)kind} with {count} classes is not defined");
        }
    }

    /// <summary>
    /// Saves the loop's state; a failure is contained (logged, counted, reported by the next cycle). A loop that never
    /// started (its saved state was never loaded) saves nothing, so it cannot overwrite that state with fresh monitors.
    /// </summary>
    private async Task SaveStateAsync(CancellationToken cancellationToken)
    {
        if (!IsStarted)
        {
            return;
        }

        await _failures.TryInvokeAsync("state", Name, this, static async (engine, token) =>
        {
            engine._stateRevision = await engine._stateStore.SaveAsync(engine.Name, engine.Snapshot(), engine._stateRevision, token).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }
}
