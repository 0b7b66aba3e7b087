namespace FeedbackLoop.Tests.Onnx;

/// <summary>The ONNX models the tests score, written in the test run (no download), and the hand computations they must match.</summary>
internal static class TestModels
{
    public static FeatureSchema Numeric(int features) =>
        FeatureSchema.CreateBuilder().Apply(b => Enumerable.Range(0, features).Aggregate(b, (s, i) => s.Numeric($"x{i}"))).Build();

    /// <summary>
    /// Logistic regression as skl2onnx lays it out: p = Sigmoid(MatMul(X, W) + B) [N, 1], probabilities =
    /// Concat(1 - p, p, axis = 1) [N, 2], and label = ArgMax(probabilities, axis = 1) [N] as an extra int64 output.
    /// </summary>
    public static byte[] Binary(float[] weights, float bias, string input = "X", long? width = null) => new OnnxGraph()
        .Input(input, OnnxGraph.Float, null, width ?? weights.Length)
        .Constant("W", weights, weights.Length, 1)
        .Constant("B", [bias], 1)
        .Constant("One", [1f], 1)
        .Node("MatMul", [input, "W"], ["z0"])
        .Node("Add", ["z0", "B"], ["z"])
        .Node("Sigmoid", ["z"], ["p"])
        .Node("Sub", ["One", "p"], ["q"])
        .Node("Concat", ["q", "p"], ["probabilities"], OnnxGraph.IntAttribute("axis", 1))
        .Node("ArgMax", ["probabilities"], ["label"], OnnxGraph.IntAttribute("axis", 1), OnnxGraph.IntAttribute("keepdims", 0))
        .Output("label", OnnxGraph.Int64, [null])
        .Output("probabilities", OnnxGraph.Float, null, 2)
        .ToModel();

    /// <summary>Multinomial logistic regression: probabilities = Softmax(MatMul(X, W) + B, axis = 1), [N, K]; <paramref name="weights"/> is [F, K] row-major.</summary>
    public static byte[] Softmax(int features, int classes, float[] weights, float[] biases, string activation = "Softmax", long? declaredClasses = -1) => new OnnxGraph()
        .Input("X", OnnxGraph.Float, null, features)
        .Constant("W", weights, features, classes)
        .Constant("B", biases, classes)
        .Node("MatMul", ["X", "W"], ["z0"])
        .Node("Add", ["z0", "B"], ["z"])
        .Node(activation, ["z"], ["probabilities"], activation == "Softmax" ? [OnnxGraph.IntAttribute("axis", 1)] : [])
        .Output("probabilities", OnnxGraph.Float, null, declaredClasses == -1 ? classes : declaredClasses)
        .ToModel();

    /// <summary>Linear regression: variable = MatMul(X, W) + B, [N, 1], then <paramref name="then"/> (for example Log, to make NaN and -∞ from the model). Weights stored as raw_data.</summary>
    public static byte[] Linear(float[] weights, float bias, string? then = null)
    {
        var graph = new OnnxGraph()
            .Input("X", OnnxGraph.Float, null, weights.Length)
            .RawConstant("W", weights, weights.Length, 1)
            .RawConstant("B", [bias], 1)
            .Node("MatMul", ["X", "W"], ["z0"]);
        return (then is null
                ? graph.Node("Add", ["z0", "B"], ["variable"])
                : graph.Node("Add", ["z0", "B"], ["z"]).Node(then, ["z"], ["variable"]))
            .Output("variable", OnnxGraph.Float, null, 1)
            .ToModel();
    }

    /// <summary>
    /// One input per feature: age and income float [N, 1], region string [N, 1] encoded by ai.onnx.ml LabelEncoder
    /// (keys_strings → values_floats, default_float for an unseen or empty category), concatenated, then the binary head of <see cref="Binary"/>.
    /// </summary>
    public static byte[] PerFeature(float[] weights, float bias, string[] regions, float[] regionCodes, string prefix = "") => new OnnxGraph()
        .Input(prefix + "age", OnnxGraph.Float, null, 1)
        .Input(prefix + "income", OnnxGraph.Float, null, 1)
        .Input(prefix + "region", OnnxGraph.String, null, 1)
        .Constant("W", weights, 3, 1)
        .Constant("B", [bias], 1)
        .Constant("One", [1f], 1)
        .Node("LabelEncoder", "ai.onnx.ml", [prefix + "region"], ["r"],
            OnnxGraph.StringsAttribute("keys_strings", regions), OnnxGraph.FloatsAttribute("values_floats", regionCodes), OnnxGraph.FloatAttribute("default_float", -1f))
        .Node("Concat", [prefix + "age", prefix + "income", "r"], ["X"], OnnxGraph.IntAttribute("axis", 1))
        .Node("MatMul", ["X", "W"], ["z0"])
        .Node("Add", ["z0", "B"], ["z"])
        .Node("Sigmoid", ["z"], ["p"])
        .Node("Sub", ["One", "p"], ["q"])
        .Node("Concat", ["q", "p"], ["probabilities"], OnnxGraph.IntAttribute("axis", 1))
        .Output("probabilities", OnnxGraph.Float, null, 2)
        .ToModel();

    /// <summary>A binary classifier whose only probability output is skl2onnx's ZipMap (a sequence of maps).</summary>
    public static byte[] ZipMapped(float[] weights, float bias) => new OnnxGraph()
        .Input("X", OnnxGraph.Float, null, weights.Length)
        .Constant("W", weights, weights.Length, 1)
        .Constant("B", [bias], 1)
        .Constant("One", [1f], 1)
        .Node("MatMul", ["X", "W"], ["z0"])
        .Node("Add", ["z0", "B"], ["z"])
        .Node("Sigmoid", ["z"], ["p"])
        .Node("Sub", ["One", "p"], ["q"])
        .Node("Concat", ["q", "p"], ["probabilities"], OnnxGraph.IntAttribute("axis", 1))
        .Node("ZipMap", "ai.onnx.ml", ["probabilities"], ["output_probability"], OnnxGraph.StringsAttribute("classlabels_strings", "no", "yes"))
        .SequenceOfMapsOutput("output_probability")
        .ToModel();

    public static double Sigmoid(double z) => 1.0 / (1.0 + Math.Exp(-z));

    public static double Dot(ReadOnlySpan<float> weights, ReadOnlySpan<double> x)
    {
        var sum = 0.0;
        for (var i = 0; i < x.Length; i++)
        {
            sum += (double)weights[i] * x[i];
        }

        return sum;
    }

    private static T Apply<T>(this T value, Func<T, T> change) => change(value);
}
