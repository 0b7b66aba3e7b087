namespace FeedbackLoop.Tests.TestSupport;

/// <summary>Measures what an action allocates on the calling thread.</summary>
public static class Allocations
{
    /// <summary>
    /// Runs <paramref name="action"/> once to warm up, then up to three more times, and returns the fewest bytes one
    /// run allocated. The runtime itself occasionally allocates on a thread (tiered compilation installing optimised
    /// code); a real per-call allocation shows in every run, so the minimum tells them apart.
    /// </summary>
    public static long OnCurrentThread(Action action)
    {
        action();
        var fewest = long.MaxValue;
        for (var attempt = 0; attempt < 3 && fewest > 0; attempt++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            action();
            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        return fewest;
    }
}
