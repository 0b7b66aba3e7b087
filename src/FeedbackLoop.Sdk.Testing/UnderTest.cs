namespace FeedbackLoop.Testing;

/// <summary>Creates <see cref="UnderTest{T}"/> instances.</summary>
public static class UnderTest
{
    /// <summary>Wraps an implementation, disposing it at the end of the test when it is disposable.</summary>
    /// <typeparam name="T">The contract under test.</typeparam>
    /// <param name="subject">The implementation.</param>
    /// <returns>The implementation under test.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="subject"/> is <see langword="null"/>.</exception>
    public static UnderTest<T> For<T>(T subject)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(subject);
        return new UnderTest<T>(subject, OnceRelease.DisposeOf(subject));
    }
}
