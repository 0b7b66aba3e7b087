using FeedbackLoop.Models;

namespace FeedbackLoop.Onnx;

/// <summary>
/// A mapping resolved against one model and one schema, as the artifact stores it: which input each feature (or the
/// numeric vector) feeds, which output is read and how its columns follow the task.
/// </summary>
/// <param name="Task">The task the predictor performs.</param>
/// <param name="Layout">The resolved layout: <see cref="OnnxInputLayout.Vector"/> or <see cref="OnnxInputLayout.PerFeature"/>.</param>
/// <param name="InputNames">The vector layout's one input, or the input of each feature of the schema in <see cref="FeatureSchema.Features"/> order.</param>
/// <param name="Output">The output read.</param>
/// <param name="ModelClasses">For multiclass, the class of each output column; empty otherwise.</param>
/// <param name="PositiveClassColumn">For binary, the positive class's column when the output has two.</param>
/// <param name="SchemaFingerprint">The fingerprint of the schema the mapping was resolved for.</param>
/// <param name="Schema">That schema as text (for messages).</param>
internal sealed record OnnxMapping(
    ModelTask Task,
    OnnxInputLayout Layout,
    IReadOnlyList<string> InputNames,
    string Output,
    IReadOnlyList<string> ModelClasses,
    int PositiveClassColumn,
    string SchemaFingerprint,
    string Schema);
