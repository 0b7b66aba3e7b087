namespace FeedbackLoop.Registry;

/// <summary>
/// Stores immutable model versions with their artifacts and moves named aliases
/// (<see cref="ModelAliases.Champion"/>, <see cref="ModelAliases.Challenger"/>) between them.
/// </summary>
/// <remarks>
/// Implementations are thread-safe, and alias moves are atomic: a reader sees the old or the new version, never
/// a mix. Every move carries an actor and a reason and is kept in the alias's history, which nothing erases: a
/// rollback is a move of its own. Artifacts are returned only if their SHA-256 still matches the registered one.
/// </remarks>
public interface IModelRegistry
{
    /// <summary>Registers a new version.</summary>
    /// <param name="registration">The artifact and its metadata.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The version, numbered one past the model's latest.</returns>
    /// <exception cref="ArgumentException">The model name is invalid or the artifact is empty.</exception>
    Task<ModelVersion> RegisterAsync(ModelRegistration registration, CancellationToken cancellationToken);

    /// <summary>Gets a version.</summary>
    /// <param name="modelName">The model name.</param>
    /// <param name="version">The version number.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The version, or <see langword="null"/> when unknown.</returns>
    Task<ModelVersion?> GetVersionAsync(string modelName, int version, CancellationToken cancellationToken);

    /// <summary>Gets the version an alias points to.</summary>
    /// <param name="modelName">The model name.</param>
    /// <param name="aliasName">The alias.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The version, or <see langword="null"/> when the alias is not set.</returns>
    Task<ModelVersion?> GetByAliasAsync(string modelName, string aliasName, CancellationToken cancellationToken);

    /// <summary>Lists a model's versions, oldest first.</summary>
    /// <param name="modelName">The model name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The versions (empty for an unknown model).</returns>
    Task<IReadOnlyList<ModelVersion>> ListVersionsAsync(string modelName, CancellationToken cancellationToken);

    /// <summary>Points an alias at a version, atomically, and appends the move to the alias's history.</summary>
    /// <param name="modelName">The model name.</param>
    /// <param name="aliasName">The alias.</param>
    /// <param name="version">The version number.</param>
    /// <param name="change">Who moves it and why.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The move.</returns>
    /// <exception cref="KeyNotFoundException">The version does not exist.</exception>
    Task<AliasMove> SetAliasAsync(string modelName, string aliasName, int version, AliasChange change, CancellationToken cancellationToken);

    /// <summary>Reads every move of an alias, oldest first.</summary>
    /// <param name="modelName">The model name.</param>
    /// <param name="aliasName">The alias.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The moves (empty when the alias was never set).</returns>
    Task<IReadOnlyList<AliasMove>> GetAliasHistoryAsync(string modelName, string aliasName, CancellationToken cancellationToken);

    /// <summary>
    /// Moves <see cref="ModelAliases.Champion"/> back to the version its latest promotion not yet rolled back replaced,
    /// appending the rollback to the history (read from it, never erasing it): rolling back twice undoes two
    /// promotions.
    /// </summary>
    /// <param name="modelName">The model name.</param>
    /// <param name="change">Who rolls back and why.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The restored champion.</returns>
    /// <exception cref="InvalidOperationException">There is no earlier champion to return to.</exception>
    Task<ModelVersion> RollbackAsync(string modelName, AliasChange change, CancellationToken cancellationToken);

    /// <summary>Reads a version's artifact, checking its SHA-256.</summary>
    /// <param name="modelName">The model name.</param>
    /// <param name="version">The version number.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The artifact bytes.</returns>
    /// <exception cref="KeyNotFoundException">The version does not exist.</exception>
    /// <exception cref="InvalidDataException">The stored artifact no longer matches its SHA-256.</exception>
    Task<ReadOnlyMemory<byte>> GetArtifactAsync(string modelName, int version, CancellationToken cancellationToken);
}
