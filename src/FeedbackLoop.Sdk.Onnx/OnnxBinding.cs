using System.Globalization;
using FeedbackLoop.Models;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace FeedbackLoop.Onnx;

/// <summary>One input the predictor feeds: the numeric vector, or one feature.</summary>
/// <param name="Name">The model's input name.</param>
/// <param name="Kind">What it takes: numeric values (float) or a category (string).</param>
/// <param name="Ordinal">The feature's ordinal among its kind; -1 for the vector, which takes every numeric feature.</param>
/// <param name="Shape">The tensor shape of one row.</param>
internal sealed record OnnxInput(string Name, FeatureKind Kind, int Ordinal, long[] Shape)
{
    public int Width => checked((int)Shape.Aggregate(1L, (a, b) => a * b));
}

/// <summary>
/// A mapping checked against a loaded model: the inputs in feeding order, the output and its shape for one row (from a
/// warm-up run), and how its columns map to the task.
/// </summary>
internal sealed class OnnxBinding
{
    private OnnxBinding(OnnxMapping mapping, OnnxInput[] inputs, long[] outputShape)
    {
        Mapping = mapping;
        Inputs = inputs;
        OutputShape = outputShape;
        OutputWidth = checked((int)outputShape.Aggregate(1L, (a, b) => a * b));
        ColumnToClass = mapping.Task.Kind == ModelTaskKind.Multiclass
            ? [.. mapping.ModelClasses.Select(mapping.Task.IndexOf)]
            : [];
    }

    public OnnxMapping Mapping { get; }

    public OnnxInput[] Inputs { get; }

    public long[] OutputShape { get; }

    public int OutputWidth { get; }

    /// <summary>For multiclass, the task's index of the class of each output column.</summary>
    public int[] ColumnToClass { get; }

    /// <summary>Resolves the host's options against a model's metadata into the mapping the artifact keeps.</summary>
    /// <exception cref="ArgumentException">The options name a feature the schema lacks, or classes that are not the task's.</exception>
    /// <exception cref="InvalidOnnxModelException">The model does not fit the schema, the task or the options.</exception>
    public static OnnxMapping Resolve(InferenceSession session, FeatureSchema schema, ModelTask task, OnnxModelOptions options)
    {
        foreach (var feature in options.InputNames.Keys)
        {
            if (!schema.TryGetFeature(feature, out _))
            {
                throw new ArgumentException($"InputNames maps the feature '{feature}', which is not in the schema [{schema}].", nameof(options));
            }
        }

        string[] modelClasses = [];
        if (task.Kind == ModelTaskKind.Multiclass)
        {
            modelClasses = [.. (IEnumerable<string>?)options.ModelClasses ?? task.Classes];
            if (modelClasses.Length != task.Classes.Count || modelClasses.Any(c => task.IndexOf(c) < 0))
            {
                throw new ArgumentException(
                    $"ModelClasses [{string.Join(", ", modelClasses)}] must name each of the task's classes [{string.Join(", ", task.Classes)}] once, in the model's column order.",
                    nameof(options));
            }
        }
        else if (options.ModelClasses is not null)
        {
            throw new ArgumentException($"ModelClasses is set, but the task is {task}, not multiclass.", nameof(options));
        }

        var inputs = session.InputMetadata;
        var layout = options.InputLayout;
        if (layout == OnnxInputLayout.Auto)
        {
            layout = inputs.Count == 1 && inputs.Single().Value is { IsTensor: true, ElementDataType: TensorElementType.Float }
                ? OnnxInputLayout.Vector
                : OnnxInputLayout.PerFeature;
        }

        if (layout == OnnxInputLayout.Vector && options.InputNames.Count > 0)
        {
            throw new ArgumentException(
                $"InputNames are set, but the model has one float input ({Names(inputs.Keys)}), so the vector layout feeds it all the numeric features; set InputLayout = PerFeature to feed one input per feature.",
                nameof(options));
        }

        if (layout == OnnxInputLayout.PerFeature && options.VectorInputName is not null)
        {
            throw new ArgumentException(
                $"VectorInputName is set, but the model's inputs ({Names(inputs.Keys)}) take one feature each; set InputLayout = Vector to feed one input all the numeric features.",
                nameof(options));
        }

        string[] inputNames = layout == OnnxInputLayout.Vector
            ? [options.VectorInputName ?? (inputs.Count == 1 ? inputs.Keys.Single() : throw new InvalidOnnxModelException(
                $"The vector layout feeds one input, but the model has {inputs.Count} ({Names(inputs.Keys)}); set VectorInputName or use the per-feature layout."))]
            : [.. schema.Features.Select(f => options.InputNames.TryGetValue(f.Name, out var name) ? name : f.Name)];

        var mapping = new OnnxMapping(
            task, layout, inputNames, ResolveOutput(session, task, options.OutputName), modelClasses, options.PositiveClassColumn, schema.Fingerprint, schema.ToString());
        CheckMapping(mapping, schema);
        CheckInputs(session, schema, mapping);
        return mapping;
    }

    /// <summary>Checks a mapping (the host's, just resolved, or one read from an artifact) against a loaded model, and runs the model once on a neutral row.</summary>
    /// <exception cref="InvalidOnnxModelException">The model does not fit.</exception>
    public static OnnxBinding Bind(InferenceSession session, FeatureSchema schema, OnnxMapping mapping)
    {
        if (!string.Equals(mapping.SchemaFingerprint, schema.Fingerprint, StringComparison.Ordinal))
        {
            throw new InvalidOnnxModelException(
                $"The ONNX model was mapped to the schema [{mapping.Schema}] (fingerprint {mapping.SchemaFingerprint}); this loop's schema is [{schema}] (fingerprint {schema.Fingerprint}).");
        }

        CheckMapping(mapping, schema);
        var inputs = CheckInputs(session, schema, mapping);
        CheckOutput(session, mapping);
        return new OnnxBinding(mapping, inputs, WarmUp(session, mapping, inputs));
    }

    /// <summary>
    /// Checks a mapping on its own, before it meets the model: the host's, just resolved, and one read back from an
    /// artifact pass the same rules (the artifact's SHA-256 is unkeyed, so a consistent frame can be crafted, and what it
    /// holds is checked as the host's options are).
    /// </summary>
    /// <exception cref="InvalidOnnxModelException">The mapping is not one <see cref="Resolve"/> could have made for the schema; the message names the problem.</exception>
    public static void CheckMapping(OnnxMapping mapping, FeatureSchema schema)
    {
        var task = mapping.Task;
        if (!Enum.IsDefined(task.Kind))
        {
            throw new InvalidOnnxModelException($"The ONNX mapping's task kind {task.Kind} is not a task.");
        }

        if (mapping.PositiveClassColumn is not (0 or 1))
        {
            throw new InvalidOnnxModelException(
                string.Create(CultureInfo.InvariantCulture, $"The ONNX mapping's positive class column is {mapping.PositiveClassColumn}; a binary output has columns 0 and 1."));
        }

        var classes = mapping.ModelClasses;
        if (task.Kind == ModelTaskKind.Multiclass
            ? classes.Count != task.Classes.Count || classes.Any(c => task.IndexOf(c) < 0) || classes.Distinct(StringComparer.Ordinal).Count() != classes.Count
            : classes.Count != 0)
        {
            throw new InvalidOnnxModelException(task.Kind == ModelTaskKind.Multiclass
                ? $"The ONNX mapping's model classes [{string.Join(", ", classes)}] must name each of the task's classes [{string.Join(", ", task.Classes)}] once."
                : $"The ONNX mapping names model classes [{string.Join(", ", classes)}], but the task is {task}, not multiclass.");
        }

        var names = mapping.InputNames;
        switch (mapping.Layout)
        {
            case OnnxInputLayout.Vector when names.Count != 1:
                throw new InvalidOnnxModelException(
                    string.Create(CultureInfo.InvariantCulture, $"The ONNX mapping's vector layout names {names.Count} inputs ({Names(names)}); it feeds exactly one."));
            case OnnxInputLayout.Vector:
                return;
            case OnnxInputLayout.PerFeature when names.Count != schema.Features.Count:
                throw new InvalidOnnxModelException(
                    string.Create(CultureInfo.InvariantCulture, $"The mapping names {names.Count} inputs for the schema's {schema.Features.Count} features."));
            case OnnxInputLayout.PerFeature:
                var first = new Dictionary<string, int>(StringComparer.Ordinal);
                for (var i = 0; i < names.Count; i++)
                {
                    if (!first.TryAdd(names[i], i))
                    {
                        throw new InvalidOnnxModelException(
                            $"The features '{schema.Features[first[names[i]]].Name}' and '{schema.Features[i].Name}' both feed the input '{names[i]}'; each input takes one feature (map one of them elsewhere with InputNames).");
                    }
                }

                return;
            default:
                throw new InvalidOnnxModelException($"The ONNX mapping has the unresolved layout {mapping.Layout}; it is Vector or PerFeature.");
        }
    }

    private static string ResolveOutput(InferenceSession session, ModelTask task, string? name)
    {
        var outputs = session.OutputMetadata;
        if (name is not null)
        {
            return outputs.ContainsKey(name)
                ? name
                : throw new InvalidOnnxModelException($"The model has no output '{name}' (its outputs: {Names(outputs.Keys)}).");
        }

        var conventional = task.Kind == ModelTaskKind.Regression ? "variable" : "probabilities";
        if (outputs.ContainsKey(conventional))
        {
            return conventional;
        }

        var floats = outputs.Where(o => o.Value is { IsTensor: true, ElementDataType: TensorElementType.Float }).Select(o => o.Key).ToList();
        return floats.Count == 1
            ? floats[0]
            : throw new InvalidOnnxModelException(
                $"The model has no output '{conventional}' and {floats.Count} float tensor outputs ({Names(outputs.Keys)}); set OutputName.{ZipMapHint(outputs)}");
    }

    private static OnnxInput[] CheckInputs(InferenceSession session, FeatureSchema schema, OnnxMapping mapping)
    {
        var metadata = session.InputMetadata;
        if (mapping.Layout == OnnxInputLayout.Vector)
        {
            var name = mapping.InputNames[0];
            if (schema.CategoricalFeatures.FirstOrDefault() is { } categorical)
            {
                throw new InvalidOnnxModelException(
                    $"The vector layout takes numeric features only, but the feature '{categorical.Name}' is categorical; use the per-feature layout (one string input per categorical feature).");
            }

            if (!metadata.TryGetValue(name, out var input))
            {
                throw new InvalidOnnxModelException($"The model has no input '{name}' (its inputs: {Names(metadata.Keys)}).");
            }

            if (metadata.Keys.FirstOrDefault(k => !string.Equals(k, name, StringComparison.Ordinal)) is { } other)
            {
                throw new InvalidOnnxModelException($"The model's input '{other}' would be fed nothing: the vector layout feeds '{name}' only.");
            }

            CheckTensor(name, input, TensorElementType.Float, "the numeric features");
            var width = schema.NumericCount;
            if (input.Dimensions.Length != 2 || !Fits(input.Dimensions[0], 1) || !Fits(input.Dimensions[1], width))
            {
                throw new InvalidOnnxModelException(
                    $"The model's input '{name}' has shape {Shape(input)}; the vector layout feeds [N, {width}], one column per numeric feature ({string.Join(", ", schema.NumericFeatures.Select(f => f.Name))}).");
            }

            return [new OnnxInput(name, FeatureKind.Numeric, -1, [1, width])];
        }

        var fed = new OnnxInput[schema.Features.Count];
        for (var i = 0; i < fed.Length; i++)
        {
            var feature = schema.Features[i];
            var name = mapping.InputNames[i];
            if (!metadata.TryGetValue(name, out var input))
            {
                throw new InvalidOnnxModelException(
                    $"The feature '{feature.Name}' feeds the input '{name}', which the model does not have (its inputs: {Names(metadata.Keys)}); map it with InputNames.");
            }

            var (type, what) = feature.Kind == FeatureKind.Numeric ? (TensorElementType.Float, "a numeric feature") : (TensorElementType.String, "a categorical feature");
            CheckTensor(name, input, type, $"{what} ('{feature.Name}')");
            var dimensions = input.Dimensions;
            if (dimensions.Length is not (1 or 2) || !Fits(dimensions[0], 1) || (dimensions.Length == 2 && !Fits(dimensions[1], 1)))
            {
                throw new InvalidOnnxModelException(
                    $"The model's input '{name}' (feature '{feature.Name}') has shape {Shape(input)}; a feature's input takes one value per row, [N, 1] or [N].");
            }

            fed[i] = new OnnxInput(name, feature.Kind, feature.Ordinal, dimensions.Length == 2 ? [1, 1] : [1]);
        }

        if (metadata.Keys.FirstOrDefault(k => !mapping.InputNames.Contains(k, StringComparer.Ordinal)) is { } unfed)
        {
            throw new InvalidOnnxModelException(
                $"The model's input '{unfed}' is fed by no feature of the schema [{schema}]; map a feature to it with InputNames.");
        }

        return fed;
    }

    private static void CheckOutput(InferenceSession session, OnnxMapping mapping)
    {
        var outputs = session.OutputMetadata;
        if (!outputs.TryGetValue(mapping.Output, out var output))
        {
            throw new InvalidOnnxModelException($"The model has no output '{mapping.Output}' (its outputs: {Names(outputs.Keys)}).");
        }

        if (!output.IsTensor)
        {
            throw new InvalidOnnxModelException(
                $"The model's output '{mapping.Output}' is a {output.OnnxValueType}, not a tensor. A sequence of maps (skl2onnx's ZipMap) is not supported: convert the classifier with options={{id(model): {{'zipmap': False}}}} and read its 'probabilities' tensor.");
        }

        if (output.ElementDataType != TensorElementType.Float)
        {
            throw new InvalidOnnxModelException($"The model's output '{mapping.Output}' holds {output.ElementDataType}; the predictor reads a float tensor.");
        }

        var task = mapping.Task;
        var dimensions = output.Dimensions;
        var expected = task.Kind switch
        {
            ModelTaskKind.Multiclass => task.Classes.Count,
            ModelTaskKind.Binary => dimensions.Length == 2 && dimensions[1] == 1 ? 1 : 2,
            _ => 1,
        };
        var fits = dimensions.Length switch
        {
            1 => task.Kind != ModelTaskKind.Multiclass,
            2 => Fits(dimensions[1], expected),
            _ => false,
        };
        if (!fits || !Fits(dimensions[0], 1))
        {
            throw new InvalidOnnxModelException(ShapeProblem(mapping, Shape(output)));
        }
    }

    /// <summary>Runs the model once on a row of zeros and empty categories: the output's real shape (declared dimensions may be symbolic) and a model that cannot run are known at load.</summary>
    private static long[] WarmUp(InferenceSession session, OnnxMapping mapping, OnnxInput[] inputs)
    {
        var values = new List<OrtValue>(inputs.Length);
        try
        {
            foreach (var input in inputs)
            {
                values.Add(input.Kind == FeatureKind.Numeric
                    ? OrtValue.CreateTensorValueFromMemory(new float[input.Width], input.Shape)
                    : OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, input.Shape));
            }

            using var runOptions = new RunOptions();
            using var results = session.Run(runOptions, [.. inputs.Select(i => i.Name)], values, [mapping.Output]);
            var shape = results[0].GetTensorTypeAndShape().Shape;
            var width = shape.Aggregate(1L, (a, b) => a * b);
            var task = mapping.Task;
            var fits = task.Kind switch
            {
                ModelTaskKind.Multiclass => width == task.Classes.Count && shape.Length == 2,
                ModelTaskKind.Binary => width is 1 or 2 && shape.Length is 1 or 2 && (width == 1 || shape.Length == 2),
                _ => width == 1 && shape.Length is 1 or 2,
            };
            return fits ? shape : throw new InvalidOnnxModelException(ShapeProblem(mapping, "[" + string.Join(", ", shape) + "] for one row"));
        }
        catch (OnnxRuntimeException exception)
        {
            throw new InvalidOnnxModelException($"ONNX Runtime could not score a row of zeros and empty categories with the model: {exception.Message}", exception);
        }
        finally
        {
            values.ForEach(v => v.Dispose());
        }
    }

    private static string ShapeProblem(OnnxMapping mapping, string shape) => mapping.Task.Kind switch
    {
        ModelTaskKind.Multiclass => string.Create(CultureInfo.InvariantCulture,
            $"The model's output '{mapping.Output}' has shape {shape}; the task's {mapping.Task.Classes.Count} classes need one probability each, [N, {mapping.Task.Classes.Count}]."),
        ModelTaskKind.Binary => $"The model's output '{mapping.Output}' has shape {shape}; a binary classifier gives [N, 2] class probabilities, or the positive class's as [N, 1] or [N].",
        _ => $"The model's output '{mapping.Output}' has shape {shape}; a regression model gives one value per row, [N, 1] or [N].",
    };

    private static void CheckTensor(string name, NodeMetadata input, TensorElementType type, string what)
    {
        if (!input.IsTensor || input.ElementDataType != type)
        {
            var actual = input.IsTensor ? input.ElementDataType.ToString() : input.OnnxValueType.ToString();
            throw new InvalidOnnxModelException($"The model's input '{name}' takes {actual}; {what} feeds a {type} tensor.");
        }
    }

    /// <summary>Whether a declared dimension (negative when symbolic) admits the value.</summary>
    private static bool Fits(int declared, int value) => declared < 0 || declared == value;

    private static string Shape(NodeMetadata node) =>
        "[" + string.Join(", ", node.Dimensions.Select((d, i) => d >= 0 ? d.ToString(CultureInfo.InvariantCulture) : node.SymbolicDimensions[i] is { Length: > 0 } s ? s : "?")) + "]";

    private static string Names(IEnumerable<string> names) => string.Join(", ", names.Select(n => $"'{n}'"));

    private static string ZipMapHint(IReadOnlyDictionary<string, NodeMetadata> outputs) =>
        outputs.Any(o => !o.Value.IsTensor)
            ? " A sequence of maps (skl2onnx's ZipMap) is not supported: convert the classifier with options={id(model): {'zipmap': False}}."
            : string.Empty;
}
