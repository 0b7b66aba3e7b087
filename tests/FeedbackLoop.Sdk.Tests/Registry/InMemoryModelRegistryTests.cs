using FeedbackLoop.Registry;
using FeedbackLoop.Tests.TestSupport;

namespace FeedbackLoop.Tests.Registry;

public class InMemoryModelRegistryTests
{
    private static readonly AliasChange Change = new("test", "because");
    private static readonly CancellationToken None = CancellationToken.None;

    private static ModelRegistration Registration(string name = "churn", byte fill = 1) =>
        new(name, new byte[] { fill, 2, 3 }, "test model", new Dictionary<string, double> { ["accuracy"] = 0.9 }, new Dictionary<string, string>());

    [Fact]
    public async Task RollbackAsync_NoEarlierChampion_Throws()
    {
        var registry = new InMemoryModelRegistry();
        await registry.RegisterAsync(Registration(), None);
        await registry.SetAliasAsync("churn", ModelAliases.Champion, 1, Change, None);

        var act = () => registry.RollbackAsync("churn", Change, None);

        (await act.Should().ThrowAsync<InvalidOperationException>()).WithMessage("*no earlier champion*");
    }

    [Fact]
    public async Task SetAliasAsync_UnknownVersion_Throws()
    {
        var registry = new InMemoryModelRegistry();
        await registry.RegisterAsync(Registration(), None);

        var act = () => registry.SetAliasAsync("churn", ModelAliases.Champion, 5, Change, None);

        (await act.Should().ThrowAsync<KeyNotFoundException>()).WithMessage("*no version 5*");
    }

    [Fact]
    public async Task GetArtifactAsync_TamperedArtifact_IsRefused()
    {
        var registry = new InMemoryModelRegistry();
        var version = await registry.RegisterAsync(Registration(), None);
        registry.TamperWithArtifactForTesting("churn", version.Version);

        var act = () => registry.GetArtifactAsync("churn", version.Version, None);

        (await act.Should().ThrowAsync<InvalidDataException>()).WithMessage("*SHA-256*");
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("a/b")]
    [InlineData(".hidden")]
    [InlineData("with space")]
    public async Task RegisterAsync_NameThatCouldEscapeAFolder_IsRefused(string name)
    {
        var registry = new InMemoryModelRegistry();

        var act = () => registry.RegisterAsync(Registration(name), None);

        (await act.Should().ThrowAsync<ArgumentException>()).WithMessage("*invalid*");
    }

    [Fact]
    public async Task RegisterAsync_EmptyArtifact_IsRefused()
    {
        var registry = new InMemoryModelRegistry();

        var act = () => registry.RegisterAsync(Registration() with { Artifact = ReadOnlyMemory<byte>.Empty }, None);

        (await act.Should().ThrowAsync<ArgumentException>()).WithMessage("*empty*");
    }
}
