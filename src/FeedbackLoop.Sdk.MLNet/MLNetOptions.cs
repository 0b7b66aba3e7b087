namespace FeedbackLoop.MLNet;

/// <summary>Options of <see cref="MLNetTrainer"/> (and <c>UseMLNet</c>).</summary>
/// <remarks>A trainer copies the options when it is created; changing them afterwards changes nothing.</remarks>
public sealed class MLNetOptions
{
    /// <summary>Gets or sets the seed of the <c>MLContext</c> each training runs in, so that the same window trains the same model.</summary>
    /// <value>Default 0. <see langword="null"/> seeds from the environment (training is then not reproducible).</value>
    public int? Seed { get; set; } = 0;

    /// <summary>
    /// Gets or sets whether a binary pipeline whose trainer gives no calibrated probability (no <c>Probability</c>
    /// column: FastForest, <c>SdcaNonCalibrated</c>, <c>SgdNonCalibrated</c>, <c>AveragedPerceptron</c>, <c>LinearSvm</c>) is calibrated with Platt
    /// scaling, fitted on the training window, so that the model's outputs carry probabilities the loop's log-loss, AUC
    /// and calibration metrics can read. Without it such a model outputs labels only.
    /// </summary>
    /// <value>Default <see langword="true"/>.</value>
    public bool Calibrate { get; set; } = true;

    /// <summary>Gets or sets the trainer of the default pipeline, used when the host gives none.</summary>
    /// <value>Default <see cref="MLNetDefaultTrainer.LightGbm"/>.</value>
    public MLNetDefaultTrainer DefaultTrainer { get; set; } = MLNetDefaultTrainer.LightGbm;
}
