namespace FeedbackLoop.Drift;

/// <summary>The verdict of a domain classifier.</summary>
/// <param name="Auc">The cross-validated ROC AUC of telling current rows from reference rows: the mean of the fold AUCs.</param>
/// <param name="FoldAucs">The AUC of each fold.</param>
/// <param name="LowerAuc">The lowest AUC that is not drift.</param>
/// <param name="UpperAuc">The highest AUC that is not drift.</param>
/// <param name="IsDrift">Whether <paramref name="Auc"/> lies outside [<paramref name="LowerAuc"/>, <paramref name="UpperAuc"/>].</param>
/// <param name="ReferenceCount">The number of reference vectors.</param>
/// <param name="CurrentCount">The number of current vectors.</param>
public sealed record DomainClassifierResult(
    double Auc,
    IReadOnlyList<double> FoldAucs,
    double LowerAuc,
    double UpperAuc,
    bool IsDrift,
    int ReferenceCount,
    int CurrentCount);
