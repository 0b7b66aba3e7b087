using FeedbackLoop.Registry;
using Xunit;

namespace FeedbackLoop.Testing;

/// <content>Rollback: which champion it returns to (the rule of <see cref="RollbackTarget"/>), and what it records.</content>
public abstract partial class ModelRegistryConformanceTests
{
    /// <summary>
    /// A rollback returns the champion to the version the latest promotion replaced, and appends a move of its own
    /// (marked as a rollback, with the change's actor and reason) without changing the moves before it.
    /// </summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public async Task RollbackAsync_AfterAPromotion_ReturnsToTheReplacedVersionAndAppendsARollbackMove()
    {
        await using var session = await StartAsync();
        await session.RegisterVersionsAsync(2);
        await session.PromoteAsync(1);
        await session.PromoteAsync(2);
        var before = await session.HistoryAsync();
        var change = new AliasChange("ops:carol", "error rate doubled after the promotion");

        var restored = await session.RollbackAsync(change);

        AssertSameVersion((await session.Registry.GetVersionAsync(Model, 1, session.Token))!, restored);
        Assert.Equal(1, await session.AliasedVersionAsync());
        var history = await session.HistoryAsync();
        Assert.Equal(3, history.Count);
        AssertSameMove(before[0], history[0]);
        AssertSameMove(before[1], history[1]);
        AssertMove(history[2], ModelAliases.Champion, 2, 1, change, isRollback: true);
    }

    /// <summary>Rolling back twice undoes two promotions: 1 → 2 → 3, then back to 2, then back to 1.</summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public async Task RollbackAsync_Twice_UndoesTwoPromotions()
    {
        await using var session = await StartAsync();
        await session.RegisterVersionsAsync(3);
        await session.PromoteAsync(1);
        await session.PromoteAsync(2);
        await session.PromoteAsync(3);

        Assert.Equal(2, (await session.RollbackAsync()).Version);
        Assert.Equal(2, await session.AliasedVersionAsync());
        Assert.Equal(1, (await session.RollbackAsync()).Version);
        Assert.Equal(1, await session.AliasedVersionAsync());

        var history = await session.HistoryAsync();
        Assert.Equal(5, history.Count);
        AssertMove(history[3], ModelAliases.Champion, 3, 2, Change, isRollback: true);
        AssertMove(history[4], ModelAliases.Champion, 2, 1, Change, isRollback: true);
    }

    /// <summary>
    /// A promotion after a rollback is undone by the next rollback, and the one after returns to what the rolled-back
    /// promotions had replaced: 1 → 2 → 3, back to 2, promote 4, back to 2, back to 1.
    /// </summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public async Task RollbackAsync_PromotionAfterARollback_ReturnsToTheVersionThatPromotionReplaced()
    {
        await using var session = await StartAsync();
        await session.RegisterVersionsAsync(4);
        await session.PromoteAsync(1);
        await session.PromoteAsync(2);
        await session.PromoteAsync(3);
        Assert.Equal(2, (await session.RollbackAsync()).Version);

        await session.PromoteAsync(4);

        Assert.Equal(2, (await session.RollbackAsync()).Version);
        Assert.Equal(2, await session.AliasedVersionAsync());
        Assert.Equal(1, (await session.RollbackAsync()).Version);
        Assert.Equal(1, await session.AliasedVersionAsync());
        await Assert.ThrowsAnyAsync<InvalidOperationException>(async () => await session.RollbackAsync());
    }

    /// <summary>
    /// A longer mix of promotions (one of them to the version already serving) and rollbacks: every rollback returns to
    /// the version <see cref="RollbackTarget.Find"/> reads from the history before it, and when it reads none the
    /// rollback throws <see cref="InvalidOperationException"/>.
    /// </summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public async Task RollbackAsync_MixedPromotionsAndRollbacks_FollowsRollbackTarget()
    {
        await using var session = await StartAsync();
        await session.RegisterVersionsAsync(5);
        int?[] script = [1, 2, 3, null, 4, 5, null, null, 2, null];
        var restored = new List<int>();

        foreach (var step in script)
        {
            if (step is { } version)
            {
                await session.PromoteAsync(version);
                continue;
            }

            var target = RollbackTarget.Find(await session.HistoryAsync());
            Assert.NotNull(target);
            var champion = await session.RollbackAsync();
            Assert.Equal(target, champion.Version);
            Assert.Equal(target, await session.AliasedVersionAsync());
            restored.Add(champion.Version);
        }

        Assert.Equal([2, 4, 2, 1], restored);
        Assert.Null(RollbackTarget.Find(await session.HistoryAsync()));
        await Assert.ThrowsAnyAsync<InvalidOperationException>(async () => await session.RollbackAsync());
        Assert.Equal(script.Length, (await session.HistoryAsync()).Count);
    }

    /// <summary>
    /// Pointing the champion again at the version it already points to is a move of its own in the history, but it
    /// replaced nothing: a rollback still returns to the version before it.
    /// </summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public async Task RollbackAsync_ChampionSetAgainToItsOwnVersion_ReturnsToTheVersionBeforeIt()
    {
        await using var session = await StartAsync();
        await session.RegisterVersionsAsync(2);
        await session.PromoteAsync(1);
        await session.PromoteAsync(2);

        var again = await session.PromoteAsync(2);

        AssertMove(again, ModelAliases.Champion, 2, 2, Change, isRollback: false);
        Assert.Equal(3, (await session.HistoryAsync()).Count);
        Assert.Equal(1, (await session.RollbackAsync()).Version);
    }

    /// <summary>
    /// When there is no earlier champion to return to (unknown model, champion never set, set only once, or every
    /// promotion already rolled back), a rollback throws <see cref="InvalidOperationException"/> and records nothing.
    /// </summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public async Task RollbackAsync_NoEarlierChampion_ThrowsInvalidOperationException()
    {
        await using var session = await StartAsync();
        await session.RegisterVersionsAsync(2);

        await Assert.ThrowsAnyAsync<InvalidOperationException>(
            async () => await session.Registry.RollbackAsync("unknown", Change, session.Token));
        await Assert.ThrowsAnyAsync<InvalidOperationException>(async () => await session.RollbackAsync());
        Assert.Empty(await session.HistoryAsync());

        await session.PromoteAsync(1);
        await Assert.ThrowsAnyAsync<InvalidOperationException>(async () => await session.RollbackAsync());
        Assert.Single(await session.HistoryAsync());
        Assert.Equal(1, await session.AliasedVersionAsync());

        await session.PromoteAsync(2);
        await session.RollbackAsync();
        await Assert.ThrowsAnyAsync<InvalidOperationException>(async () => await session.RollbackAsync());
        Assert.Equal(3, (await session.HistoryAsync()).Count);
        Assert.Equal(1, await session.AliasedVersionAsync());
    }

    /// <summary>
    /// Aliases are independent: challenger moves in between champion moves neither enter the champion's history nor
    /// change where its rollback returns to, and the rollback leaves the challenger and its history alone.
    /// </summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public async Task RollbackAsync_ChallengerMovedInBetween_OnlyTheChampionIsRolledBack()
    {
        await using var session = await StartAsync();
        await session.RegisterVersionsAsync(4);
        await session.PromoteAsync(1);
        await session.SetAliasAsync(ModelAliases.Challenger, 2);
        await session.SetAliasAsync(ModelAliases.Challenger, 3);
        await session.PromoteAsync(3);
        await session.SetAliasAsync(ModelAliases.Challenger, 4);

        Assert.Equal(1, (await session.RollbackAsync()).Version);

        Assert.Equal(1, await session.AliasedVersionAsync(ModelAliases.Champion));
        Assert.Equal(4, await session.AliasedVersionAsync(ModelAliases.Challenger));
        Assert.Equal([1, 3, 1], (await session.HistoryAsync(ModelAliases.Champion)).Select(m => m.ToVersion));
        var challenger = await session.HistoryAsync(ModelAliases.Challenger);
        Assert.Equal([2, 3, 4], challenger.Select(m => m.ToVersion));
        Assert.All(challenger, m => Assert.Equal(ModelAliases.Challenger, m.Alias));
        Assert.All(challenger, m => Assert.False(m.IsRollback));
    }

    /// <summary>A cancelled token makes <see cref="IModelRegistry.RollbackAsync"/> throw <see cref="OperationCanceledException"/> and move nothing.</summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public async Task RollbackAsync_CancelledToken_ThrowsOperationCanceledException()
    {
        await using var session = await StartAsync();
        await session.RegisterVersionsAsync(2);
        await session.PromoteAsync(1);
        await session.PromoteAsync(2);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            async () => await session.Registry.RollbackAsync(Model, Change, cancelled.Token));

        Assert.Equal(2, await session.AliasedVersionAsync());
        Assert.Equal(2, (await session.HistoryAsync()).Count);
    }
}
