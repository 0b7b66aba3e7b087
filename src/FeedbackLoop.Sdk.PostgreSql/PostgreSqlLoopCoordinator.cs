using FeedbackLoop.Coordination;
using FeedbackLoop.Storage;
using Npgsql;

namespace FeedbackLoop.PostgreSql;

/// <summary>
/// Coordinates the instances of one loop on PostgreSQL: the lead of a cycle is a session advisory lock of the loop,
/// held on a connection of its own for the cycle (a process that dies loses its session, and the lock passes); the
/// monitors read the event store's ordered stream of applied events; alias moves are announced with LISTEN/NOTIFY, and a
/// watch that reconnects reports a possible move, since the announcements made meanwhile are lost.
/// </summary>
internal sealed class PostgreSqlLoopCoordinator : ILoopCoordinator
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan LastRetryDelay = TimeSpan.FromSeconds(5);

    // How long the watch waits for an announcement before it checks that its connection is still alive.
    private static readonly TimeSpan WatchProbeInterval = TimeSpan.FromSeconds(5);

    private readonly PostgreSqlDatabase _database;
    private readonly PostgreSqlEventStore _store;
    private readonly string _loop;
    private readonly bool _waitForLead;

    public PostgreSqlLoopCoordinator(PostgreSqlDatabase database, PostgreSqlEventStore store, string loopName, bool waitForLead)
    {
        _database = database;
        _store = store;
        _loop = loopName;
        _waitForLead = waitForLead;
    }

    public async ValueTask<ICycleLease?> TryLeadAsync(CancellationToken cancellationToken)
    {
        var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var led = await _database.GuardAsync(async () =>
            {
                await using var command = LockCommand(connection, _waitForLead ? "pg_advisory_lock" : "pg_try_advisory_lock");

                // Waiting for the lead lasts as long as the leader's cycle (a training may take minutes): no command
                // timeout, only the caller's token.
                command.CommandTimeout = _waitForLead ? 0 : command.CommandTimeout;
                return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not false;
            }).ConfigureAwait(false);
            if (led)
            {
                return new Lease(this, connection);
            }
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        await connection.DisposeAsync().ConfigureAwait(false);
        return null;
    }

    public async ValueTask<long> ReadAppliedAsync(long position, EventBatch batch, int maxCount, bool predictions, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(position, -1);
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        return position < 0
            ? await _store.ReadHeadAsync(cancellationToken).ConfigureAwait(false)
            : await _store.ReadAppliedAsync(position, batch, maxCount, predictions, cancellationToken).ConfigureAwait(false);
    }

    public IAsyncDisposable WatchAliases(Action moved)
    {
        ArgumentNullException.ThrowIfNull(moved);
        return new AliasWatch(this, moved);
    }

    /// <summary>The loop's lock: one 64-bit key per schema and loop (<c>hashtextextended</c>), apart from the registry's and the migration's keys by its prefix.</summary>
    private NpgsqlCommand LockCommand(NpgsqlConnection connection, string function)
    {
        var command = new NpgsqlCommand($"SELECT {function}(hashtextextended('feedbackloop.cycle.' || @schema || '.' || @loop, 0));", connection);
        command.Parameters.AddWithValue("schema", _database.Schema);
        command.Parameters.AddWithValue("loop", _loop);
        return command;
    }

    /// <summary>A held lead: the connection whose session holds the lock.</summary>
    private sealed class Lease(PostgreSqlLoopCoordinator coordinator, NpgsqlConnection connection) : ICycleLease
    {
        public async ValueTask EnsureHeldAsync(CancellationToken cancellationToken)
        {
            try
            {
                // A session lock lasts as long as the session: a connection that still answers still holds it.
                await using var command = new NpgsqlCommand("SELECT 1;", connection);
                await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is NpgsqlException or InvalidOperationException)
            {
                throw new LeadershipLostException(
                    $"Loop '{coordinator._loop}' lost the lead of its cycle: the connection holding it to {coordinator._database.Source} failed ({exception.Message}); another instance may lead now.",
                    exception);
            }
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                await using var command = coordinator.LockCommand(connection, "pg_advisory_unlock");
                await command.ExecuteScalarAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is NpgsqlException or InvalidOperationException)
            {
                // The connection is gone, and the lock with its session.
            }
            finally
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Listens for alias moves of the loop's model on a connection of its own, reconnecting with backoff.</summary>
    private sealed class AliasWatch : IAsyncDisposable
    {
        private readonly PostgreSqlLoopCoordinator _coordinator;
        private readonly Action _moved;
        private readonly string _payload;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _watching;

        public AliasWatch(PostgreSqlLoopCoordinator coordinator, Action moved)
        {
            _coordinator = coordinator;
            _moved = moved;
            _payload = AliasMoved.Payload(coordinator._database.Schema, coordinator._loop);
            _watching = Task.Run(WatchAsync);
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync().ConfigureAwait(false);
            await _watching.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            _stop.Dispose();
        }

        private async Task WatchAsync()
        {
            var token = _stop.Token;
            var delay = FirstRetryDelay;
            while (!token.IsCancellationRequested)
            {
                try
                {
                    await using var connection = await _coordinator._database.OpenAsync(token).ConfigureAwait(false);
                    connection.Notification += (_, e) =>
                    {
                        if (string.Equals(e.Payload, _payload, StringComparison.Ordinal))
                        {
                            _moved();
                        }
                    };
                    // Named, so that an operator (or a test) can tell the listening connection among the loop's others.
                    await using (var listen = new NpgsqlCommand(
                        $"SELECT set_config('application_name', left(current_setting('application_name') || ' (alias watch)', 63), false); LISTEN {AliasMoved.Channel};", connection))
                    {
                        await listen.ExecuteNonQueryAsync(token).ConfigureAwait(false);
                    }

                    // Listening from now on; whatever moved before (or while disconnected) is read from the alias table.
                    _moved();
                    delay = FirstRetryDelay;
                    while (true)
                    {
                        if (!await connection.WaitAsync(WatchProbeInterval, token).ConfigureAwait(false))
                        {
                            await using var probe = new NpgsqlCommand("SELECT 1;", connection);
                            await probe.ExecuteScalarAsync(token).ConfigureAwait(false);
                        }
                    }
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                    return;
                }
#pragma warning disable CA1031 // A dropped connection or a server restart: reconnect with backoff until disposed.
                catch (Exception)
#pragma warning restore CA1031
                {
                    try
                    {
                        await Task.Delay(delay, token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }

                    delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, LastRetryDelay.Ticks));
                }
            }
        }
    }
}
