using FeedbackLoop.Models;

namespace FeedbackLoop.Storage;

/// <summary>Answers the loop's queries for labelled windows: the predictions that have a label, filtered and streamed.</summary>
/// <remarks>Thread-safe; the loop queries it during cycles while its consumer keeps appending.</remarks>
public interface ILabelledWindowSource
{
    /// <summary>Streams the labelled predictions that match <paramref name="query"/>, oldest prediction first.</summary>
    /// <param name="query">Time range, serving version, segment, label precedence and the most examples (the newest ones).</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The examples.</returns>
    IAsyncEnumerable<LabelledExample> ReadLabelledAsync(LabelledWindowQuery query, CancellationToken cancellationToken);
}
