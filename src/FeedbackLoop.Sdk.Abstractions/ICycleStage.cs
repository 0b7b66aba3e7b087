namespace FeedbackLoop;

/// <summary>
/// One stage of a cycle. A cycle runs its stages in order over one <see cref="CycleContext"/>: the built-in observe,
/// decide, window, train and gate stages, then the stages the host added (<c>AddCycleStage</c>), then register and
/// promote.
/// </summary>
/// <remarks>
/// A stage reads and updates the context's report, and ends the cycle early with <see cref="CycleContext.Finish"/>
/// (for example to veto a promotion). It may throw: the loop's one failure handler ends the cycle as
/// <see cref="CycleOutcome.Failed"/> naming the stage, and the champion keeps serving. Stages of one loop never run
/// concurrently.
/// </remarks>
public interface ICycleStage
{
    /// <summary>Gets the stage's name, used in failure reports and logs.</summary>
    string Name { get; }

    /// <summary>Runs the stage.</summary>
    /// <param name="context">The cycle so far.</param>
    /// <param name="cancellationToken">Cancels the cycle.</param>
    /// <returns>A task that completes when the stage is done.</returns>
    ValueTask ExecuteAsync(CycleContext context, CancellationToken cancellationToken);
}
