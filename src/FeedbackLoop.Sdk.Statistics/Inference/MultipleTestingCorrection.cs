namespace FeedbackLoop.Inference;

/// <summary>How the p-values of many tests (one per feature) are corrected before drift is declared.</summary>
public enum MultipleTestingCorrection
{
    /// <summary>No correction: each test is judged at its own significance level.</summary>
    None,

    /// <summary>
    /// Bonferroni (Dunn 1961): each p-value is multiplied by the number of tests (capped at 1). Controls the
    /// family-wise error rate under any dependence between the tests.
    /// </summary>
    Bonferroni,

    /// <summary>
    /// Benjamini and Hochberg (1995): the step-up procedure that controls the false discovery rate for independent
    /// or positively dependent tests; less conservative than Bonferroni when many features drift.
    /// </summary>
    BenjaminiHochberg,
}
