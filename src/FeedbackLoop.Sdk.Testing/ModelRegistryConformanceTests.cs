using System.Security.Cryptography;
using FeedbackLoop.Registry;
using Xunit;

namespace FeedbackLoop.Testing;

/// <summary>
/// The definition of a correct <see cref="IModelRegistry"/>: inherit this class in an xunit test project, create your
/// registry in <see cref="CreateRegistryAsync"/>, and xunit runs every test below against it.
/// </summary>
/// <remarks>
/// <para>
/// Every test asks for a new, empty registry and registers its own versions, so tests do not depend on each other and
/// may run in any order; a registry shared by tests (one database, one folder) must isolate them, for example with a
/// database or a folder per registry. The suite relies on the contract only: version numbers, metadata, artifacts,
/// alias moves and their history, and the rollback rule of <see cref="RollbackTarget"/>.
/// </para>
/// <para>
/// The suite does not give the registry a clock, so it checks the times a registry records (<see cref="ModelVersion.CreatedAt"/>,
/// <see cref="AliasMove.At"/>) only for agreement between what a call returned and what a later read gives, to within a
/// second: a registry may keep less precision than <see cref="DateTimeOffset"/>. It does not check exception messages.
/// </para>
/// <para>
/// A registry that can corrupt its own storage overrides <see cref="TamperWithArtifactAsync"/>, so the suite proves it
/// refuses an artifact that no longer matches its SHA-256.
/// </para>
/// <para>xunit creates one instance of the derived class per test; the suite itself keeps no state between tests.</para>
/// </remarks>
public abstract partial class ModelRegistryConformanceTests
{
    /// <summary>The model most tests register.</summary>
    private const string Model = "churn";

    /// <summary>How many tasks register, or move an alias, at once in the concurrency tests.</summary>
    private const int Concurrency = 32;

    /// <summary>A registry that hangs fails its test instead of hanging the run.</summary>
    private static readonly TimeSpan TestTimeout = TimeSpan.FromMinutes(2);

    /// <summary>How far apart a time returned by a call and the same time read back later may be.</summary>
    private static readonly TimeSpan TimePrecision = TimeSpan.FromSeconds(1);

    /// <summary>The change most moves carry.</summary>
    private static readonly AliasChange Change = new("conformance", "the suite moves it");

    /// <summary>Creates a new, empty registry for one test.</summary>
    /// <param name="cancellationToken">Cancelled when the test times out.</param>
    /// <returns>The registry, and what to release when the test ends.</returns>
    protected abstract ValueTask<UnderTest<IModelRegistry>> CreateRegistryAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Corrupts the stored artifact of a version behind the registry's back (flip a byte of its file or its row), so that
    /// <see cref="GetArtifactAsync_ArtifactTamperedWithInStorage_ThrowsInvalidDataException"/> can prove the registry
    /// refuses it.
    /// </summary>
    /// <param name="registry">The registry of the current test, as <see cref="CreateRegistryAsync"/> created it.</param>
    /// <param name="modelName">The model name.</param>
    /// <param name="version">The version whose artifact to corrupt.</param>
    /// <param name="cancellationToken">Cancelled when the test times out.</param>
    /// <returns>
    /// <see langword="true"/> when the artifact was corrupted. The default does nothing and returns
    /// <see langword="false"/>, and the tamper test then ends without checking anything (xunit 2 cannot skip a test from
    /// inside it): override it whenever the registry's storage can be reached.
    /// </returns>
    protected virtual ValueTask<bool> TamperWithArtifactAsync(IModelRegistry registry, string modelName, int version, CancellationToken cancellationToken) =>
        ValueTask.FromResult(false);

    /// <summary>Versions are numbered from 1 for each model, one past the model's latest, whatever other models register in between.</summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public async Task RegisterAsync_SeveralModels_VersionsNumberedFromOnePerModel()
    {
        await using var session = await StartAsync();

        var churn1 = await session.RegisterAsync("churn", 1);
        var churn2 = await session.RegisterAsync("churn", 2);
        var fraud1 = await session.RegisterAsync("fraud", 3);
        var churn3 = await session.RegisterAsync("churn", 4);
        var fraud2 = await session.RegisterAsync("fraud", 5);

        Assert.Equal([1, 2, 3], new[] { churn1, churn2, churn3 }.Select(v => v.Version));
        Assert.Equal([1, 2], new[] { fraud1, fraud2 }.Select(v => v.Version));
        Assert.Equal(["churn", "churn", "churn"], new[] { churn1, churn2, churn3 }.Select(v => v.ModelName));
        Assert.Equal([1, 2, 3], (await session.ListAsync("churn")).Select(v => v.Version));
        Assert.Equal([1, 2], (await session.ListAsync("fraud")).Select(v => v.Version));
    }

    /// <summary>
    /// A version keeps what it was registered with: description, metrics, lineage, the artifact's size and its SHA-256 as
    /// lowercase hex; reading it back gives the same.
    /// </summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public async Task RegisterAsync_Registration_KeepsMetadataSizeAndLowercaseSha256()
    {
        await using var session = await StartAsync();
        var artifact = Artifact(seed: 7, length: 1_000);
        var metrics = new Dictionary<string, double> { ["auc"] = 0.875, ["log_loss"] = 0.25, ["rows"] = 12_500 };
        var lineage = new Dictionary<string, string> { ["parent"] = "3", ["window"] = "2025-01-01/2025-02-01", ["reason"] = "drift: psi 0.31" };
        var registration = new ModelRegistration(Model, artifact, "gradient boosting, 200 trees, depth 6", metrics, lineage);

        var registered = await session.Registry.RegisterAsync(registration, session.Token);
        var read = await session.Registry.GetVersionAsync(Model, registered.Version, session.Token);

        var expectedSha = Convert.ToHexStringLower(SHA256.HashData(artifact));
        foreach (var version in new[] { registered, read })
        {
            Assert.NotNull(version);
            Assert.Equal(Model, version.ModelName);
            Assert.Equal(1, version.Version);
            Assert.Equal(expectedSha, version.ArtifactSha256);
            Assert.Equal(1_000, version.ArtifactSize);
            Assert.Equal("gradient boosting, 200 trees, depth 6", version.Description);
            AssertSameEntries(metrics, version.Metrics);
            AssertSameEntries(lineage, version.Lineage);
        }

        AssertClose(registered.CreatedAt, read!.CreatedAt);
    }

    /// <summary>
    /// A version is immutable: the caller changing its artifact buffer, metrics or lineage after registering changes
    /// neither the version nor its artifact.
    /// </summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public async Task RegisterAsync_CallerChangesItsBuffersAfterwards_VersionUnchanged()
    {
        await using var session = await StartAsync();
        var artifact = Artifact(seed: 3);
        var original = artifact.ToArray();
        var metrics = new Dictionary<string, double> { ["auc"] = 0.5 };
        var lineage = new Dictionary<string, string> { ["parent"] = "none" };
        var registered = await session.Registry.RegisterAsync(new ModelRegistration(Model, artifact, "model", metrics, lineage), session.Token);

        artifact[0] ^= 0xFF;
        metrics["auc"] = 0.25;
        metrics["added"] = 1;
        lineage["parent"] = "changed";

        var read = await session.Registry.GetVersionAsync(Model, registered.Version, session.Token);
        Assert.NotNull(read);
        AssertSameEntries(new Dictionary<string, double> { ["auc"] = 0.5 }, read.Metrics);
        AssertSameEntries(new Dictionary<string, string> { ["parent"] = "none" }, read.Lineage);
        Assert.Equal(original, (await session.Registry.GetArtifactAsync(Model, registered.Version, session.Token)).ToArray());
    }

    /// <summary>An empty artifact is refused with <see cref="ArgumentException"/>, and nothing is registered.</summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public async Task RegisterAsync_EmptyArtifact_ThrowsArgumentException()
    {
        await using var session = await StartAsync();

        await Assert.ThrowsAnyAsync<ArgumentException>(
            async () => await session.Registry.RegisterAsync(Registration(Model, []), session.Token));

        Assert.Empty(await session.ListAsync(Model));
        Assert.Equal(1, (await session.RegisterAsync(Model, 1)).Version);
    }

    /// <summary>
    /// A model name that breaks <see cref="ModelNames"/>' rule (a space, a leading '.', more than 128 characters, a path
    /// separator) is refused with <see cref="ArgumentException"/>: a registry that keeps a folder or a key per model must
    /// never let a name escape it.
    /// </summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public async Task RegisterAsync_InvalidModelName_ThrowsArgumentException()
    {
        await using var session = await StartAsync();
        string[] names = ["credit risk", ".x", new string('m', ModelNames.MaxLength + 1), "../escape", "a/b", @"a\b", ""];

        foreach (var name in names)
        {
            var thrown = await Record.ExceptionAsync(async () => await session.Registry.RegisterAsync(Registration(name, Artifact(1)), session.Token));

            Assert.True(thrown is ArgumentException, $"Model name '{name}' ({name.Length} characters): expected an ArgumentException, got {thrown?.GetType().Name ?? "none"}.");
        }
    }

    /// <summary>Names at the edges of <see cref="ModelNames"/>' rule are accepted: one character, 128 characters, and '-', '_' and '.' inside.</summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public async Task RegisterAsync_NamesAtTheEdgesOfTheRule_Accepted()
    {
        await using var session = await StartAsync();
        string[] names = ["m", new string('m', ModelNames.MaxLength), "Credit-Risk_v2.onnx", "_internal", "-dash"];

        foreach (var name in names)
        {
            var registered = await session.RegisterAsync(name, 1);

            Assert.Equal(name, registered.ModelName);
            Assert.Equal(1, registered.Version);
            Assert.Equal(name, Assert.Single(await session.ListAsync(name)).ModelName);
        }
    }

    /// <summary>
    /// Registrations of one model from many tasks at once get distinct, consecutive version numbers from 1, and each
    /// number keeps the artifact of the registration that got it.
    /// </summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public async Task RegisterAsync_ConcurrentRegistrations_DistinctConsecutiveVersions()
    {
        await using var session = await StartAsync();
        var registered = await Concurrently.RunAsync(
            Concurrency,
            async seed => (Seed: seed, Version: await session.RegisterAsync(Model, seed)),
            session.Token);

        Assert.Equal(Enumerable.Range(1, Concurrency), registered.Select(r => r.Version.Version).Order());
        Assert.Equal(Enumerable.Range(1, Concurrency), (await session.ListAsync(Model)).Select(v => v.Version));
        foreach (var (seed, version) in registered)
        {
            Assert.Equal(Artifact(seed), (await session.Registry.GetArtifactAsync(Model, version.Version, session.Token)).ToArray());
        }
    }

    /// <summary>A cancelled token makes <see cref="IModelRegistry.RegisterAsync"/> throw <see cref="OperationCanceledException"/> and register nothing.</summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public async Task RegisterAsync_CancelledToken_ThrowsOperationCanceledException()
    {
        await using var session = await StartAsync();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            async () => await session.Registry.RegisterAsync(Registration(Model, Artifact(1)), cancelled.Token));

        Assert.Empty(await session.ListAsync(Model));
        Assert.Equal(1, (await session.RegisterAsync(Model, 1)).Version);
    }

    /// <summary>An unknown model, or a version past a model's latest, is <see langword="null"/>.</summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public async Task GetVersionAsync_UnknownModelOrVersion_ReturnsNull()
    {
        await using var session = await StartAsync();
        await session.RegisterAsync(Model, 1);

        Assert.Null(await session.Registry.GetVersionAsync("unknown", 1, session.Token));
        Assert.Null(await session.Registry.GetVersionAsync(Model, 2, session.Token));
        Assert.NotNull(await session.Registry.GetVersionAsync(Model, 1, session.Token));
    }

    /// <summary>A model's versions are listed oldest first, each with what it was registered with.</summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public async Task ListVersionsAsync_SeveralVersions_OldestFirst()
    {
        await using var session = await StartAsync();
        var registered = new List<ModelVersion>();
        for (var seed = 0; seed < 5; seed++)
        {
            registered.Add(await session.RegisterAsync(Model, seed));
        }

        var listed = await session.ListAsync(Model);

        Assert.Equal([1, 2, 3, 4, 5], listed.Select(v => v.Version));
        for (var i = 0; i < registered.Count; i++)
        {
            AssertSameVersion(registered[i], listed[i]);
        }
    }

    /// <summary>An unknown model has no versions: the list is empty, not an error.</summary>
    /// <returns>A task that completes when the test is done.</returns>
    [Fact]
    public async Task ListVersionsAsync_UnknownModel_Empty()
    {
        await using var session = await StartAsync();
        await session.RegisterAsync("other", 1);

        Assert.Empty(await session.ListAsync(Model));
    }

    private async Task<Session> StartAsync()
    {
        var timeout = new CancellationTokenSource(TestTimeout);
        try
        {
            var target = await CreateRegistryAsync(timeout.Token);
            Assert.NotNull(target);
            return new Session(this, target, timeout);
        }
        catch
        {
            timeout.Dispose();
            throw;
        }
    }

    /// <summary>An artifact of <paramref name="length"/> bytes that differs from one seed to the next.</summary>
    private static byte[] Artifact(int seed, int length = 64)
    {
        var artifact = new byte[length];
        for (var i = 0; i < artifact.Length; i++)
        {
            artifact[i] = unchecked((byte)((seed * 131) + (i * 7) + (i >> 8)));
        }

        return artifact;
    }

    private static ModelRegistration Registration(string modelName, byte[] artifact) =>
        new(
            modelName,
            artifact,
            "conformance model",
            new Dictionary<string, double> { ["auc"] = 0.75 },
            new Dictionary<string, string> { ["source"] = "conformance" });

    private static void AssertSameEntries<TValue>(IReadOnlyDictionary<string, TValue> expected, IReadOnlyDictionary<string, TValue> actual) =>
        Assert.Equal(expected.OrderBy(e => e.Key, StringComparer.Ordinal), actual.OrderBy(e => e.Key, StringComparer.Ordinal));

    private static void AssertSameVersion(ModelVersion expected, ModelVersion? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.ModelName, actual.ModelName);
        Assert.Equal(expected.Version, actual.Version);
        Assert.Equal(expected.ArtifactSha256, actual.ArtifactSha256);
        Assert.Equal(expected.ArtifactSize, actual.ArtifactSize);
        Assert.Equal(expected.Description, actual.Description);
        AssertSameEntries(expected.Metrics, actual.Metrics);
        AssertSameEntries(expected.Lineage, actual.Lineage);
        AssertClose(expected.CreatedAt, actual.CreatedAt);
    }

    private static void AssertClose(DateTimeOffset expected, DateTimeOffset actual) =>
        Assert.True((actual - expected).Duration() <= TimePrecision, $"Expected {expected:O}, read back {actual:O}.");

    /// <summary>One test's registry and the test's timeout.</summary>
    private sealed class Session(ModelRegistryConformanceTests suite, UnderTest<IModelRegistry> target, CancellationTokenSource timeout) : IAsyncDisposable
    {
        public IModelRegistry Registry => target.Subject;

        public CancellationToken Token => timeout.Token;

        public Task<ModelVersion> RegisterAsync(string modelName, int seed) =>
            Registry.RegisterAsync(Registration(modelName, Artifact(seed)), Token);

        /// <summary>Registers versions 1 to <paramref name="count"/> of <see cref="Model"/>.</summary>
        public async Task RegisterVersionsAsync(int count)
        {
            for (var seed = 1; seed <= count; seed++)
            {
                Assert.Equal(seed, (await RegisterAsync(Model, seed)).Version);
            }
        }

        public Task<IReadOnlyList<ModelVersion>> ListAsync(string modelName) => Registry.ListVersionsAsync(modelName, Token);

        public Task<AliasMove> SetAliasAsync(string aliasName, int version, AliasChange? change = null) =>
            Registry.SetAliasAsync(Model, aliasName, version, change ?? Change, Token);

        public Task<AliasMove> PromoteAsync(int version, AliasChange? change = null) => SetAliasAsync(ModelAliases.Champion, version, change);

        public Task<ModelVersion> RollbackAsync(AliasChange? change = null) => Registry.RollbackAsync(Model, change ?? Change, Token);

        public Task<IReadOnlyList<AliasMove>> HistoryAsync(string aliasName = ModelAliases.Champion) =>
            Registry.GetAliasHistoryAsync(Model, aliasName, Token);

        public async Task<int?> AliasedVersionAsync(string aliasName = ModelAliases.Champion) =>
            (await Registry.GetByAliasAsync(Model, aliasName, Token))?.Version;

        public ValueTask<bool> TamperAsync(int version) => suite.TamperWithArtifactAsync(Registry, Model, version, Token);

        public async ValueTask DisposeAsync()
        {
            try
            {
                await target.DisposeAsync();
            }
            finally
            {
                timeout.Dispose();
            }
        }
    }
}
