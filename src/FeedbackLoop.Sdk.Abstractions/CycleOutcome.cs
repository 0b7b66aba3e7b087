namespace FeedbackLoop;

/// <summary>How a cycle ended.</summary>
public enum CycleOutcome
{
    /// <summary>The policy did not ask for a retrain.</summary>
    NoAction,

    /// <summary>The policy asked for a retrain, but there were not enough labelled examples yet; the request stands.</summary>
    Deferred,

    /// <summary>A candidate was trained, passed the gate and is now the live champion.</summary>
    Promoted,

    /// <summary>A candidate was trained and registered, but the gate refused it; the champion stays live.</summary>
    Rejected,

    /// <summary>A stage failed (trainer, gate, registry, store); the champion stays live. See <see cref="CycleReport.Failure"/>.</summary>
    Failed,

    /// <summary>
    /// Another instance of the loop leads this cycle (see <see cref="Coordination.ILoopCoordinator"/>): this one trained
    /// nothing, and serves whatever champion the leader promotes.
    /// </summary>
    NotLeader,
}
