using FeedbackLoop.Registry;

namespace FeedbackLoop.Tests.TestSupport;

/// <summary>
/// A registry that fails new registrations once told to (a registry outage), or records them altered (a registry
/// another tool or an older version wrote to).
/// </summary>
public sealed class FailingRegistry(IModelRegistry inner) : IModelRegistry
{
    public bool Fail { get; set; }

    public Func<ModelRegistration, ModelRegistration> Rewrite { get; set; } = registration => registration;

    public Task<ModelVersion> RegisterAsync(ModelRegistration registration, CancellationToken cancellationToken) =>
        Fail ? throw new InvalidOperationException("registry offline") : inner.RegisterAsync(Rewrite(registration), cancellationToken);

    public Task<ModelVersion?> GetVersionAsync(string modelName, int version, CancellationToken cancellationToken) =>
        inner.GetVersionAsync(modelName, version, cancellationToken);

    public Task<ModelVersion?> GetByAliasAsync(string modelName, string aliasName, CancellationToken cancellationToken) =>
        inner.GetByAliasAsync(modelName, aliasName, cancellationToken);

    public Task<IReadOnlyList<ModelVersion>> ListVersionsAsync(string modelName, CancellationToken cancellationToken) =>
        inner.ListVersionsAsync(modelName, cancellationToken);

    public Task<AliasMove> SetAliasAsync(string modelName, string aliasName, int version, AliasChange change, CancellationToken cancellationToken) =>
        inner.SetAliasAsync(modelName, aliasName, version, change, cancellationToken);

    public Task<IReadOnlyList<AliasMove>> GetAliasHistoryAsync(string modelName, string aliasName, CancellationToken cancellationToken) =>
        inner.GetAliasHistoryAsync(modelName, aliasName, cancellationToken);

    public Task<ModelVersion> RollbackAsync(string modelName, AliasChange change, CancellationToken cancellationToken) =>
        inner.RollbackAsync(modelName, change, cancellationToken);

    public Task<ReadOnlyMemory<byte>> GetArtifactAsync(string modelName, int version, CancellationToken cancellationToken) =>
        inner.GetArtifactAsync(modelName, version, cancellationToken);
}
