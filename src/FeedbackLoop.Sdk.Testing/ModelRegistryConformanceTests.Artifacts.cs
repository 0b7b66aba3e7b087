using System.Security.Cryptography;
using FeedbackLoop.Registry;
using Xunit;

namespace FeedbackLoop.Testing;

/// <content>Artifacts: the bytes come back as registered, and are refused once they no longer match their SHA-256.</content>
public abstract partial class ModelRegistryConformanceTests
{
    /// <summary>
    /// Each version's artifact comes back byte for byte, whatever its size (one byte to a few hundred kilobytes), and
    /// matches the version's size and SHA-256.
    /// </summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public async Task GetArtifactAsync_RegisteredArtifacts_SameBytes()
    {
        await using var session = await StartAsync();
        byte[][] artifacts = [Artifact(seed: 1, length: 1), Artifact(seed: 2, length: 4_096), Artifact(seed: 3, length: 300_001), [0, 0, 0]];
        var versions = new List<ModelVersion>();
        foreach (var artifact in artifacts)
        {
            versions.Add(await session.Registry.RegisterAsync(Registration(Model, artifact), session.Token));
        }

        for (var i = 0; i < artifacts.Length; i++)
        {
            var read = (await session.Registry.GetArtifactAsync(Model, versions[i].Version, session.Token)).ToArray();

            Assert.Equal(artifacts[i], read);
            Assert.Equal(versions[i].ArtifactSize, read.LongLength);
            Assert.Equal(versions[i].ArtifactSha256, Convert.ToHexStringLower(SHA256.HashData(read)));
        }
    }

    /// <summary>The artifact of a version that does not exist (past the model's latest, or of an unknown model) throws <see cref="KeyNotFoundException"/>.</summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public async Task GetArtifactAsync_UnknownVersion_ThrowsKeyNotFoundException()
    {
        await using var session = await StartAsync();
        await session.RegisterVersionsAsync(1);

        await Assert.ThrowsAnyAsync<KeyNotFoundException>(async () => await session.Registry.GetArtifactAsync(Model, 2, session.Token));
        await Assert.ThrowsAnyAsync<KeyNotFoundException>(async () => await session.Registry.GetArtifactAsync("unknown", 1, session.Token));
    }

    /// <summary>
    /// An artifact corrupted in storage after it was registered is refused with <see cref="InvalidDataException"/>, never
    /// served; the other versions' artifacts still load. Runs only when the derived class overrides
    /// <see cref="TamperWithArtifactAsync"/>; otherwise it ends without checking anything.
    /// </summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public async Task GetArtifactAsync_ArtifactTamperedWithInStorage_ThrowsInvalidDataException()
    {
        await using var session = await StartAsync();
        await session.RegisterVersionsAsync(2);

        if (!await session.TamperAsync(1))
        {
            return;
        }

        await Assert.ThrowsAnyAsync<InvalidDataException>(async () => await session.Registry.GetArtifactAsync(Model, 1, session.Token));
        Assert.Equal(Artifact(2), (await session.Registry.GetArtifactAsync(Model, 2, session.Token)).ToArray());
    }
}
