namespace FeedbackLoop.Onnx;

/// <summary>How a loop's features reach an ONNX model's inputs.</summary>
public enum OnnxInputLayout
{
    /// <summary>
    /// <see cref="Vector"/> when the model has exactly one input and it is a float tensor; otherwise
    /// <see cref="PerFeature"/>.
    /// </summary>
    Auto,

    /// <summary>
    /// One float tensor input of shape [N, F] holding the schema's numeric features by ordinal (the layout skl2onnx
    /// gives a model trained on a numeric matrix). A schema with categorical features cannot use it.
    /// </summary>
    Vector,

    /// <summary>
    /// One input per feature, named after the feature unless <see cref="OnnxModelOptions.InputNames"/> renames it: a
    /// numeric feature feeds a float tensor of shape [N, 1] (or [N]), a categorical feature a string tensor of the same
    /// shape (a missing category is passed as the empty string).
    /// </summary>
    PerFeature,
}
