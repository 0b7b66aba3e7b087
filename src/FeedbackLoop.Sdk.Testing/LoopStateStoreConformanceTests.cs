using FeedbackLoop.State;
using Xunit;

namespace FeedbackLoop.Testing;

/// <summary>
/// The definition of a correct <see cref="ILoopStateStore"/>: inherit this class in an xunit test project, create your
/// store in <see cref="CreateStoreAsync"/>, and xunit runs every test below against it.
/// </summary>
/// <remarks>
/// <para>
/// Every test asks for a new, empty store and saves its own states, so tests do not depend on each other and may run in
/// any order; a store shared by tests (one database) must isolate them, for example with a schema or a database per
/// store. The suite relies on the contract only: revisions start at 1 and grow by one per save, a save over a revision
/// that is not the current one is refused with <see cref="LoopStateConflictException"/> and changes nothing, and a
/// loaded state is byte for byte the saved one (<see cref="StateSnapshot.ToBytes"/>).
/// </para>
/// <para>xunit creates one instance of the derived class per test; the suite itself keeps no state between tests.</para>
/// </remarks>
public abstract class LoopStateStoreConformanceTests
{
    /// <summary>The loop most tests save.</summary>
    private const string Loop = "credit-risk";

    /// <summary>How many tasks save at once in the concurrency tests.</summary>
    private const int Concurrency = 16;

    /// <summary>A store that hangs fails its test instead of hanging the run.</summary>
    private static readonly TimeSpan TestTimeout = TimeSpan.FromMinutes(2);

    /// <summary>Creates a new, empty store for one test.</summary>
    /// <param name="cancellationToken">Cancelled when the test times out.</param>
    /// <returns>The store, and what to release when the test ends.</returns>
    protected abstract ValueTask<UnderTest<ILoopStateStore>> CreateStoreAsync(CancellationToken cancellationToken);

    /// <summary>A loop that never saved has no state: loading it gives <see langword="null"/>.</summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public async Task LoadAsync_UnknownLoop_ReturnsNull()
    {
        await using var session = await StartAsync();
        await session.SaveAsync("other-loop", State(1), 0);

        Assert.Null(await session.LoadAsync(Loop));
    }

    /// <summary>The first save expects revision 0 and returns 1; loading gives the same state, byte for byte, at revision 1.</summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public async Task SaveAsync_FirstSave_ReturnsRevisionOneAndLoadsTheSameState()
    {
        await using var session = await StartAsync();
        var state = State(seed: 1, length: 65_537);

        var revision = await session.SaveAsync(Loop, state, 0);

        Assert.Equal(1, revision);
        AssertSaved(await session.LoadAsync(Loop), state, 1);
    }

    /// <summary>Each save over the current revision returns one more, and loading gives the latest state at that revision.</summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public async Task SaveAsync_EachSave_IncrementsTheRevision()
    {
        await using var session = await StartAsync();

        for (var expected = 0L; expected < 5; expected++)
        {
            var state = State(seed: (int)expected);

            var revision = await session.SaveAsync(Loop, state, expected);

            Assert.Equal(expected + 1, revision);
            AssertSaved(await session.LoadAsync(Loop), state, expected + 1);
        }
    }

    /// <summary>
    /// A save over a revision that is not the current one (older, zero, or ahead) throws
    /// <see cref="LoopStateConflictException"/> and leaves the saved state and revision as they were; a save over the
    /// current revision, read again, then succeeds.
    /// </summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public async Task SaveAsync_StaleExpectedRevision_ThrowsConflictAndKeepsTheState()
    {
        await using var session = await StartAsync();
        await session.SaveAsync(Loop, State(1), 0);
        var current = State(2);
        await session.SaveAsync(Loop, current, 1);

        foreach (var stale in new long[] { 1, 0, 3 })
        {
            await Assert.ThrowsAsync<LoopStateConflictException>(async () => await session.SaveAsync(Loop, State(99), stale));

            AssertSaved(await session.LoadAsync(Loop), current, 2);
        }

        var reloaded = await session.LoadAsync(Loop);
        var next = State(3);
        Assert.Equal(3, await session.SaveAsync(Loop, next, reloaded!.Revision));
        AssertSaved(await session.LoadAsync(Loop), next, 3);
    }

    /// <summary>A first save that expects a revision other than 0 throws <see cref="LoopStateConflictException"/> and saves nothing.</summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public async Task SaveAsync_NothingSavedAndExpectedRevisionNotZero_ThrowsConflictAndSavesNothing()
    {
        await using var session = await StartAsync();

        await Assert.ThrowsAsync<LoopStateConflictException>(async () => await session.SaveAsync(Loop, State(1), 1));

        Assert.Null(await session.LoadAsync(Loop));
        Assert.Equal(1, await session.SaveAsync(Loop, State(2), 0));
    }

    /// <summary>Loops are independent: each has its own revisions and its own state.</summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public async Task SaveAsync_TwoLoops_RevisionsAndStatesIndependent()
    {
        await using var session = await StartAsync();
        var first = State(1);
        var second = State(2);
        var other = State(3);

        await session.SaveAsync("loop-a", first, 0);
        await session.SaveAsync("loop-a", second, 1);
        var otherRevision = await session.SaveAsync("loop-b", other, 0);

        Assert.Equal(1, otherRevision);
        AssertSaved(await session.LoadAsync("loop-a"), second, 2);
        AssertSaved(await session.LoadAsync("loop-b"), other, 1);
        await Assert.ThrowsAsync<LoopStateConflictException>(async () => await session.SaveAsync("loop-b", State(4), 2));
        AssertSaved(await session.LoadAsync("loop-a"), second, 2);
    }

    /// <summary>
    /// First saves of one loop from many tasks at once, each expecting revision 0: exactly one wins with revision 1, every
    /// other throws <see cref="LoopStateConflictException"/>, and the winner's state is the one saved.
    /// </summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public async Task SaveAsync_ConcurrentFirstSaves_ExactlyOneWins()
    {
        await using var session = await StartAsync();

        await AssertExactlyOneWinsAsync(session, expectedRevision: 0);
    }

    /// <summary>
    /// Saves of one loop from many tasks at once, all over the same current revision: exactly one wins with the next
    /// revision, every other throws <see cref="LoopStateConflictException"/>, and the winner's state is the one saved.
    /// </summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public async Task SaveAsync_ConcurrentSavesOverTheSameRevision_ExactlyOneWins()
    {
        await using var session = await StartAsync();
        await session.SaveAsync(Loop, State(-1), 0);
        await session.SaveAsync(Loop, State(-2), 1);

        await AssertExactlyOneWinsAsync(session, expectedRevision: 2);
    }

    /// <summary>
    /// A cancelled token makes <see cref="ILoopStateStore.LoadAsync"/> and <see cref="ILoopStateStore.SaveAsync"/> throw
    /// <see cref="OperationCanceledException"/>, and the save changes nothing.
    /// </summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public async Task LoadAsyncAndSaveAsync_CancelledToken_ThrowOperationCanceledException()
    {
        await using var session = await StartAsync();
        var saved = State(1);
        await session.SaveAsync(Loop, saved, 0);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await session.Store.LoadAsync(Loop, cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await session.Store.SaveAsync(Loop, State(2), 1, cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await session.Store.SaveAsync("new-loop", State(3), 0, cancelled.Token));

        AssertSaved(await session.LoadAsync(Loop), saved, 1);
        Assert.Null(await session.LoadAsync("new-loop"));
    }

    /// <summary>A <see langword="null"/> or empty loop name throws <see cref="ArgumentException"/> on load and on save.</summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public async Task LoadAsyncAndSaveAsync_NullOrEmptyLoopName_ThrowArgumentException()
    {
        await using var session = await StartAsync();

        foreach (var name in new[] { null, string.Empty })
        {
            await Assert.ThrowsAnyAsync<ArgumentException>(async () => await session.Store.LoadAsync(name!, session.Token));
            await Assert.ThrowsAnyAsync<ArgumentException>(async () => await session.Store.SaveAsync(name!, State(1), 0, session.Token));
        }
    }

    /// <summary>A <see langword="null"/> state throws <see cref="ArgumentNullException"/> and saves nothing.</summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public async Task SaveAsync_NullState_ThrowsArgumentNullException()
    {
        await using var session = await StartAsync();

        await Assert.ThrowsAnyAsync<ArgumentNullException>(async () => await session.Store.SaveAsync(Loop, null!, 0, session.Token));

        Assert.Null(await session.LoadAsync(Loop));
    }

    private static async Task AssertExactlyOneWinsAsync(Session session, long expectedRevision)
    {
        var outcomes = await Concurrently.RunAsync(
            Concurrency,
            async seed =>
            {
                try
                {
                    return (Seed: seed, Revision: (long?)await session.SaveAsync(Loop, State(seed), expectedRevision));
                }
                catch (LoopStateConflictException)
                {
                    return (Seed: seed, Revision: null);
                }
            },
            session.Token);

        var winner = Assert.Single(outcomes, o => o.Revision is not null);
        Assert.Equal(expectedRevision + 1, winner.Revision);
        AssertSaved(await session.LoadAsync(Loop), State(winner.Seed), expectedRevision + 1);
    }

    private async Task<Session> StartAsync()
    {
        var timeout = new CancellationTokenSource(TestTimeout);
        try
        {
            var target = await CreateStoreAsync(timeout.Token);
            Assert.NotNull(target);
            return new Session(target, timeout);
        }
        catch
        {
            timeout.Dispose();
            throw;
        }
    }

    /// <summary>A state of <paramref name="length"/> payload bytes that differs from one seed to the next.</summary>
    private static StateSnapshot State(int seed, int length = 256)
    {
        var payload = new byte[length];
        for (var i = 0; i < payload.Length; i++)
        {
            payload[i] = unchecked((byte)((seed * 131) + (i * 7) + (i >> 8)));
        }

        return new StateSnapshot("LoopStateConformance", 1, payload);
    }

    private static void AssertSaved(SavedLoopState? saved, StateSnapshot expected, long revision)
    {
        Assert.NotNull(saved);
        Assert.Equal(revision, saved.Revision);
        Assert.NotNull(saved.State);
        Assert.Equal(expected.ToBytes(), saved.State.ToBytes());
    }

    /// <summary>One test's store and the test's timeout.</summary>
    private sealed class Session(UnderTest<ILoopStateStore> target, CancellationTokenSource timeout) : IAsyncDisposable
    {
        public ILoopStateStore Store => target.Subject;

        public CancellationToken Token => timeout.Token;

        public async Task<SavedLoopState?> LoadAsync(string loopName) => await Store.LoadAsync(loopName, Token);

        public async Task<long> SaveAsync(string loopName, StateSnapshot state, long expectedRevision) =>
            await Store.SaveAsync(loopName, state, expectedRevision, Token);

        public async ValueTask DisposeAsync()
        {
            try
            {
                await target.DisposeAsync();
            }
            finally
            {
                timeout.Dispose();
            }
        }
    }
}
