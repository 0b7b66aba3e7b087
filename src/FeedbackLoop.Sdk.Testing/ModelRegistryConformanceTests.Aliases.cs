using FeedbackLoop.Registry;
using Xunit;

namespace FeedbackLoop.Testing;

/// <content>Aliases: moving them, reading them, and the history of their moves.</content>
public abstract partial class ModelRegistryConformanceTests
{
    /// <summary>
    /// Every move of an alias is kept, oldest first, with the version it left (<see langword="null"/> for the first),
    /// the version it points to, who moved it and why; none is a rollback. Each is the move
    /// <see cref="IModelRegistry.SetAliasAsync"/> returned.
    /// </summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public async Task SetAliasAsync_SeveralMoves_HistoryOldestFirstWithActorAndReason()
    {
        await using var session = await StartAsync();
        await session.RegisterVersionsAsync(3);
        var first = new AliasChange("ops:alice", "initial deployment");
        var second = new AliasChange("feedback-loop", "challenger won: auc +0.02");
        var third = new AliasChange("ops:bob", "hotfix");

        AliasMove[] returned =
        [
            await session.PromoteAsync(1, first),
            await session.PromoteAsync(2, second),
            await session.PromoteAsync(3, third),
        ];
        var history = await session.HistoryAsync();

        Assert.Equal(3, history.Count);
        AssertMove(history[0], ModelAliases.Champion, null, 1, first, isRollback: false);
        AssertMove(history[1], ModelAliases.Champion, 1, 2, second, isRollback: false);
        AssertMove(history[2], ModelAliases.Champion, 2, 3, third, isRollback: false);
        for (var i = 0; i < returned.Length; i++)
        {
            AssertSameMove(returned[i], history[i]);
        }
    }

    /// <summary>An alias points to the version of its latest move, with that version's metadata.</summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public async Task GetByAliasAsync_AfterSeveralMoves_FollowsTheLatestMove()
    {
        await using var session = await StartAsync();
        await session.RegisterVersionsAsync(3);

        await session.PromoteAsync(2);
        Assert.Equal(2, await session.AliasedVersionAsync());
        await session.PromoteAsync(3);
        Assert.Equal(3, await session.AliasedVersionAsync());
        await session.PromoteAsync(1);

        var champion = await session.Registry.GetByAliasAsync(Model, ModelAliases.Champion, session.Token);
        AssertSameVersion((await session.Registry.GetVersionAsync(Model, 1, session.Token))!, champion);
    }

    /// <summary>An alias never set, of a known or an unknown model, points to nothing and has an empty history.</summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public async Task GetByAliasAsync_UnsetAliasOrUnknownModel_ReturnsNullAndEmptyHistory()
    {
        await using var session = await StartAsync();
        await session.RegisterVersionsAsync(1);
        await session.SetAliasAsync(ModelAliases.Challenger, 1);

        Assert.Null(await session.AliasedVersionAsync(ModelAliases.Champion));
        Assert.Empty(await session.HistoryAsync(ModelAliases.Champion));
        Assert.Null(await session.Registry.GetByAliasAsync("unknown", ModelAliases.Challenger, session.Token));
        Assert.Empty(await session.Registry.GetAliasHistoryAsync("unknown", ModelAliases.Challenger, session.Token));
    }

    /// <summary>
    /// Pointing an alias at a version that does not exist (past the model's latest, or of an unknown model) throws
    /// <see cref="KeyNotFoundException"/>; the alias and its history stay as they were.
    /// </summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public async Task SetAliasAsync_UnknownVersion_ThrowsKeyNotFoundExceptionAndRecordsNothing()
    {
        await using var session = await StartAsync();
        await session.RegisterVersionsAsync(2);
        await session.PromoteAsync(1);

        await Assert.ThrowsAnyAsync<KeyNotFoundException>(async () => await session.PromoteAsync(3));
        await Assert.ThrowsAnyAsync<KeyNotFoundException>(
            async () => await session.Registry.SetAliasAsync("unknown", ModelAliases.Champion, 1, Change, session.Token));

        Assert.Equal(1, await session.AliasedVersionAsync());
        AssertMove(Assert.Single(await session.HistoryAsync()), ModelAliases.Champion, null, 1, Change, isRollback: false);
        Assert.Empty(await session.Registry.GetAliasHistoryAsync("unknown", ModelAliases.Champion, session.Token));
    }

    /// <summary>
    /// Moves of one alias from many tasks at once are atomic: the history is an unbroken chain (each move leaves the
    /// version the one before it pointed to), one entry per move, and the alias points to the last one.
    /// </summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public async Task SetAliasAsync_ConcurrentMoves_HistoryIsAnUnbrokenChain()
    {
        await using var session = await StartAsync();
        await session.RegisterVersionsAsync(4);
        await session.PromoteAsync(1);
        var returned = await Concurrently.RunAsync(
            Concurrency,
            i => session.PromoteAsync(1 + (i % 4), new AliasChange("task", $"move {i}")),
            session.Token);
        var history = await session.HistoryAsync();

        Assert.Equal(Concurrency + 1, history.Count);
        for (var i = 1; i < history.Count; i++)
        {
            Assert.Equal(history[i - 1].ToVersion, history[i].FromVersion);
        }

        Assert.Equal(history[^1].ToVersion, await session.AliasedVersionAsync());
        Assert.Equal(
            returned.Select(m => m.Reason).Order(StringComparer.Ordinal),
            history.Skip(1).Select(m => m.Reason).Order(StringComparer.Ordinal));
    }

    /// <summary>A cancelled token makes <see cref="IModelRegistry.SetAliasAsync"/> throw <see cref="OperationCanceledException"/> and move nothing.</summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public async Task SetAliasAsync_CancelledToken_ThrowsOperationCanceledException()
    {
        await using var session = await StartAsync();
        await session.RegisterVersionsAsync(2);
        await session.PromoteAsync(1);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            async () => await session.Registry.SetAliasAsync(Model, ModelAliases.Champion, 2, Change, cancelled.Token));

        Assert.Equal(1, await session.AliasedVersionAsync());
        Assert.Single(await session.HistoryAsync());
    }

    private static void AssertMove(AliasMove move, string alias, int? from, int to, AliasChange change, bool isRollback)
    {
        Assert.Equal(alias, move.Alias);
        Assert.Equal(from, move.FromVersion);
        Assert.Equal(to, move.ToVersion);
        Assert.Equal(change.Actor, move.Actor);
        Assert.Equal(change.Reason, move.Reason);
        Assert.Equal(isRollback, move.IsRollback);
    }

    private static void AssertSameMove(AliasMove expected, AliasMove actual)
    {
        Assert.Equal(expected with { At = actual.At }, actual);
        AssertClose(expected.At, actual.At);
    }
}
