using FeedbackLoop.Sqlite;

namespace FeedbackLoop.Tests.Sqlite;

/// <summary>The settings of <c>UseSqlite</c>, and what it refuses when the loop is configured.</summary>
public sealed class SqliteOptionsTests
{
    [Fact]
    public void Options_Defaults_KeepEverythingAndWaitFiveSecondsForLocks()
    {
        var options = new SqliteOptions();

        (options.Retention, options.BusyTimeout).Should().Be(((TimeSpan?)null, TimeSpan.FromSeconds(5)));
        options.RetainFor(TimeSpan.FromDays(30)).WaitForLocks(TimeSpan.Zero).Should().BeSameAs(options);
        (options.Retention, options.BusyTimeout).Should().Be(((TimeSpan?)TimeSpan.FromDays(30), TimeSpan.Zero));
    }

    [Fact]
    public void Options_RetentionNotPositiveOrNegativeLockWait_Throw()
    {
        var options = new SqliteOptions();

        options.Invoking(o => o.RetainFor(TimeSpan.Zero)).Should().Throw<ArgumentOutOfRangeException>();
        options.Invoking(o => o.WaitForLocks(TimeSpan.FromSeconds(-1))).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Theory]
    [InlineData("Data Source=:memory:")]
    [InlineData("Flavour=Strawberry")]
    public void UseSqlite_ConnectionStringWithoutAFile_RefusedWhenConfigured(string connectionString) =>
        new FeedbackLoopBuilder("loop").Invoking(b => b.UseSqlite(connectionString)).Should().Throw<ArgumentException>();
}
