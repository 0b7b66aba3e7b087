using FeedbackLoop.Coordination;
using FeedbackLoop.Registry;
using FeedbackLoop.Retraining;
using FeedbackLoop.Storage;

namespace FeedbackLoop;

/// <summary>
/// A loop shared by several instances (a <see cref="ILoopCoordinator"/> is set): a cycle first takes the lead, then
/// catches up — the state another leader saved, the champion it promoted, and every event any instance applied since the
/// last cycle read them, fed to the monitors in the store's order — and the lead is checked again before anything is
/// registered. Each instance follows champion moves announced by the coordinator.
/// </summary>
internal sealed partial class FeedbackLoopEngine
{
    /// <summary>Events read from the shared stream per round trip.</summary>
    private const int SharedPage = 10_000;

    private readonly ILoopCoordinator? _coordinator;
    private ICycleLease? _lease;
    private IAsyncDisposable? _aliasWatch;

    // Where this loop's monitors have read the shared stream to; saved with the loop's state.
    private long _sharedPosition;

    private async ValueTask LeadAsync(CycleContext context, CancellationToken cancellationToken)
    {
        _lease = await _coordinator!.TryLeadAsync(cancellationToken).ConfigureAwait(false);
        if (_lease is null)
        {
            context.Report = context.Report with { Decision = RetrainDecision.Skip("another instance leads this cycle") };
            context.Finish(CycleOutcome.NotLeader);
            return;
        }

        var restored = await CatchUpAsync(cancellationToken).ConfigureAwait(false);
        var champion = Volatile.Read(ref _serving).Champion;
        context.Champion = champion?.Predictor;

        // The cycles are numbered by the loop, whichever instance ran them: after another leader's state, this is its next.
        context.Report = context.Report with { Champion = champion?.Version, Cycle = restored ? ++_cycles : context.Report.Cycle };
    }

    /// <summary>
    /// Takes over what earlier leaders left: their saved state when it is newer than this instance's, the champion the
    /// alias names, and the events applied since the saved position, read into the monitors page by page.
    /// </summary>
    /// <returns>Whether another leader's state was restored.</returns>
    private async Task<bool> CatchUpAsync(CancellationToken cancellationToken)
    {
        // The champion first: the saved state's monitors are restored for the versions this instance serves.
        await FollowChampionContainedAsync(cancellationToken).ConfigureAwait(false);
        var restored = await _stateStore.LoadAsync(Name, cancellationToken).ConfigureAwait(false) is { } saved
            && saved.Revision != _stateRevision && RestoreSaved(saved);

        var page = new EventBatch(SharedPage);
        var predictions = _monitors.MonitorsFeatures;
        while (true)
        {
            page.Clear();
            var position = await _coordinator!.ReadAppliedAsync(_sharedPosition, page, SharedPage, predictions, cancellationToken).ConfigureAwait(false);
            _monitors.Observe(page);
            _sharedPosition = position;
            if (page.Count + page.Joins.Count < SharedPage)
            {
                return restored;
            }
        }
    }

    /// <summary>Serves the version the champion alias names, when another instance moved it; a version that does not load throws, and the loop keeps serving.</summary>
    /// <returns>Whether the champion changed.</returns>
    private Task<bool> FollowChampionAsync(CancellationToken cancellationToken) => SwapAsync<bool>(async () =>
    {
        var named = await _registry.GetByAliasAsync(Name, ModelAliases.Champion, cancellationToken).ConfigureAwait(false);
        if (named is null || named.Version == Champion?.Version)
        {
            return (false, null);
        }

        SetLive(named, await LoadPredictorAsync(named, cancellationToken).ConfigureAwait(false));
        return (true, null);
    }, cancellationToken);

    /// <summary>Follows the champion alias; a champion that does not load is refused and counted, and the loop goes on serving the one it serves.</summary>
    private ValueTask<bool> FollowChampionContainedAsync(CancellationToken cancellationToken) =>
        _failures.TryInvokeAsync("champion", Name, this, static (engine, token) => new ValueTask(engine.FollowChampionAsync(token)), cancellationToken);

    /// <summary>Starts following champion moves announced by the coordinator (once, when the loop starts; never after it is disposed).</summary>
    private void WatchChampion()
    {
        if (_coordinator is not null && _aliasWatch is null && Volatile.Read(ref _disposed) == 0)
        {
            _aliasWatch = _coordinator.WatchAliases(() => _ = System.Threading.Tasks.Task.Run(async () =>
            {
                if (Volatile.Read(ref _disposed) == 0)
                {
                    await FollowChampionContainedAsync(CancellationToken.None).ConfigureAwait(false);
                }
            }));
        }
    }

    /// <summary>Checks, before the cycle writes to the registry, that this instance still leads it.</summary>
    private ValueTask EnsureLeadingAsync(CancellationToken cancellationToken) => _lease?.EnsureHeldAsync(cancellationToken) ?? ValueTask.CompletedTask;

    /// <summary>Whether this instance still leads and the champion alias still names the champion the cycle started with (another instance may have moved it).</summary>
    private async Task<bool> ChampionAliasUnmovedAsync(ModelVersion? started, CancellationToken cancellationToken)
    {
        await EnsureLeadingAsync(cancellationToken).ConfigureAwait(false);
        return (await _registry.GetByAliasAsync(Name, ModelAliases.Champion, cancellationToken).ConfigureAwait(false))?.Version == started?.Version;
    }

    /// <summary>Whether a shared loop's cycle still leads when it is about to save the loop's state (a loop alone always does).</summary>
    private async Task<bool> StillLeadingAsync()
    {
        try
        {
            await EnsureLeadingAsync(CancellationToken.None).ConfigureAwait(false);
            return true;
        }
        catch (LeadershipLostException exception)
        {
            _failures.Contain("coordinator", Name, exception);
            return false;
        }
    }

    /// <summary>Ends the cycle's lead (after its state is saved), whatever ended the cycle.</summary>
    private async Task ReleaseLeadAsync()
    {
        if (_lease is { } lease)
        {
            _lease = null;
            await _failures.TryInvokeAsync("coordinator", Name, lease, static (lease, _) => lease.DisposeAsync(), CancellationToken.None).ConfigureAwait(false);
        }
    }
}
