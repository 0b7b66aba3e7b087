namespace FeedbackLoop.Simulation.Prequential;

/// <summary>
/// A prequential (test-then-train) comparison: a drifting stream is drawn once, and every strategy predicts each
/// sample before its label can be used, the label arriving <see cref="PrequentialOptions.LabelDelay"/> predictions
/// later (for a <see cref="PrequentialOptions.LabelBudget"/> share of the predictions) — the protocol of Gama,
/// Sebastião &amp; Rodrigues (2013), "On evaluating stream learning algorithms", Machine Learning 90(3), with delayed
/// and partial labels as in production.
/// </summary>
public static class PrequentialEvaluation
{
    /// <summary>Replays one stream through each strategy in turn.</summary>
    /// <param name="stream">The stream, read from its current position: <see cref="PrequentialOptions.History"/> samples, then <see cref="PrequentialOptions.Predictions"/>.</param>
    /// <param name="strategies">The strategies, each with a distinct name.</param>
    /// <param name="options">The replay's settings.</param>
    /// <param name="cancellationToken">Cancels the replay.</param>
    /// <returns>Every strategy's run on the same samples, with the drift points in replay order.</returns>
    /// <exception cref="ArgumentException">No strategy, a null one, or two with the same name.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public static async Task<PrequentialResult> RunAsync(
        IDriftingStream stream, IReadOnlyList<PrequentialStrategy> strategies, PrequentialOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(strategies);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (strategies.Count == 0 || strategies.Any(s => s is null) || strategies.DistinctBy(s => s.Name).Count() != strategies.Count)
        {
            throw new ArgumentException("Give at least one strategy, no null one, and no two with the same name.", nameof(strategies));
        }

        var replay = new PrequentialReplay(stream, options);
        var runs = new List<PrequentialRun>(strategies.Count);
        foreach (var strategy in strategies)
        {
            runs.Add(await strategy.RunAsync(replay, cancellationToken).ConfigureAwait(false));
        }

        return new PrequentialResult(options, replay.Task, replay.DriftPoints, runs);
    }
}
