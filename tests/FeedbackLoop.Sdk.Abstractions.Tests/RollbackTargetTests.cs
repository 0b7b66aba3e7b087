using FeedbackLoop.Registry;

namespace FeedbackLoop.Tests;

/// <summary><see cref="RollbackTarget"/>: the versions a rollback returns to, read from an alias's history.</summary>
public class RollbackTargetTests
{
    [Fact]
    public void Standing_PromotionsAndARollback_LatestFirstWithoutTheVersionRolledBack()
    {
        // v1, then v2, then v3 promoted; v3 rolled back to v2.
        AliasMove[] history = [Move(null, 1), Move(1, 2), Move(2, 3), Move(3, 2, rollback: true)];

        RollbackTarget.Standing(history).Should().Equal(1);
        RollbackTarget.Find(history).Should().Be(1);
    }

    [Fact]
    public void Standing_OnlyPromotions_EveryReplacedVersionLatestFirst()
    {
        AliasMove[] history = [Move(null, 1), Move(1, 2), Move(2, 3), Move(3, 3)];

        RollbackTarget.Standing(history).Should().Equal(2, 1);
        RollbackTarget.Find(history).Should().Be(2);
    }

    [Fact]
    public void Standing_NoEarlierVersion_Empty()
    {
        RollbackTarget.Standing([Move(null, 1)]).Should().BeEmpty();
        RollbackTarget.Find([]).Should().BeNull();
        FluentActions.Invoking(() => RollbackTarget.Standing(null!)).Should().Throw<ArgumentNullException>();
    }

    private static AliasMove Move(int? from, int to, bool rollback = false) => new("champion", from, to, default, "test", "test", rollback);
}
