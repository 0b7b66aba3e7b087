namespace FeedbackLoop.Coordination;

/// <summary>
/// The lead of one cycle (<see cref="ILoopCoordinator.TryLeadAsync"/>): held until disposed, or until the instance
/// holding it loses its connection or dies, when the next instance to try takes it.
/// </summary>
public interface ICycleLease : IAsyncDisposable
{
    /// <summary>Checks that the lead is still held; the cycle checks before it registers or promotes a model.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the lead is confirmed.</returns>
    /// <exception cref="LeadershipLostException">The lead was lost (the connection that held it dropped).</exception>
    ValueTask EnsureHeldAsync(CancellationToken cancellationToken);
}
