namespace FeedbackLoop.Tests.Onnx;

/// <summary>
/// Writes small ONNX models for the tests, field by field, following onnx/onnx.proto (IR version 7, the default opset
/// 13): https://github.com/onnx/onnx/blob/main/onnx/onnx.proto and the operator definitions in
/// https://github.com/onnx/onnx/blob/main/docs/Operators.md. Only what the tests use is written.
/// </summary>
internal sealed class OnnxGraph
{
    // TensorProto.DataType (onnx.proto): FLOAT = 1, INT64 = 7, STRING = 8.
    public const int Float = 1;
    public const int Int64 = 7;
    public const int String = 8;

    // AttributeProto.AttributeType: FLOAT = 1, INT = 2, STRINGS = 8, FLOATS = 6.
    private const int AttributeFloat = 1;
    private const int AttributeInt = 2;
    private const int AttributeFloats = 6;
    private const int AttributeStrings = 8;

    private readonly List<ProtobufWriter> _nodes = [];
    private readonly List<ProtobufWriter> _initializers = [];
    private readonly List<ProtobufWriter> _inputs = [];
    private readonly List<ProtobufWriter> _outputs = [];
    private bool _usesMlDomain;

    /// <summary>A graph input or output: ValueInfoProto { name = 1, type = 2 }, TypeProto { tensor_type = 1 }, TypeProto.Tensor { elem_type = 1, shape = 2 }, TensorShapeProto { dim = 1 }, Dimension { dim_value = 1 | dim_param = 2 }; a null dimension is symbolic ("N").</summary>
    public OnnxGraph Input(string name, int elementType, params long?[] shape)
    {
        _inputs.Add(ValueInfo(name, elementType, shape));
        return this;
    }

    public OnnxGraph Output(string name, int elementType, params long?[] shape)
    {
        _outputs.Add(ValueInfo(name, elementType, shape));
        return this;
    }

    /// <summary>
    /// An output that is a sequence of maps from string to float, as skl2onnx's ZipMap gives: TypeProto { sequence_type = 4 },
    /// TypeProto.Sequence { elem_type = 1 }, TypeProto { map_type = 5 }, TypeProto.Map { key_type = 1, value_type = 2 }.
    /// </summary>
    public OnnxGraph SequenceOfMapsOutput(string name)
    {
        var value = new ProtobufWriter().Message(1, new ProtobufWriter().Varint(1, Float));
        var map = new ProtobufWriter().Varint(1, String).Message(2, value);
        var element = new ProtobufWriter().Message(5, map);
        var sequence = new ProtobufWriter().Message(4, new ProtobufWriter().Message(1, element));
        _outputs.Add(new ProtobufWriter().String(1, name).Message(2, sequence));
        return this;
    }

    /// <summary>A constant float tensor: TensorProto { dims = 1, data_type = 2, float_data = 4 (packed), name = 8 }.</summary>
    public OnnxGraph Constant(string name, float[] values, params long[] dims)
    {
        _initializers.Add(new ProtobufWriter().PackedInt64s(1, dims).Varint(2, Float).PackedFloats(4, values).String(8, name));
        return this;
    }

    /// <summary>A constant float tensor stored as raw_data (field 9, little-endian bytes), the other encoding runtimes accept.</summary>
    public OnnxGraph RawConstant(string name, float[] values, params long[] dims)
    {
        var raw = new byte[values.Length * 4];
        Buffer.BlockCopy(values, 0, raw, 0, raw.Length);
        _initializers.Add(new ProtobufWriter().PackedInt64s(1, dims).Varint(2, Float).String(8, name).Bytes(9, raw));
        return this;
    }

    /// <summary>A node: NodeProto { input = 1, output = 2, name = 3, op_type = 4, attribute = 5, domain = 7 }.</summary>
    public OnnxGraph Node(string opType, string[] inputs, string[] outputs, params ProtobufWriter[] attributes) =>
        Node(opType, string.Empty, inputs, outputs, attributes);

    public OnnxGraph Node(string opType, string domain, string[] inputs, string[] outputs, params ProtobufWriter[] attributes)
    {
        var node = new ProtobufWriter();
        foreach (var input in inputs)
        {
            node.String(1, input);
        }

        foreach (var output in outputs)
        {
            node.String(2, output);
        }

        node.String(3, $"{opType}_{_nodes.Count}").String(4, opType);
        foreach (var attribute in attributes)
        {
            node.Message(5, attribute);
        }

        if (domain.Length > 0)
        {
            node.String(7, domain);
            _usesMlDomain |= domain == "ai.onnx.ml";
        }

        _nodes.Add(node);
        return this;
    }

    /// <summary>AttributeProto { name = 1, i = 3, type = 20 }.</summary>
    public static ProtobufWriter IntAttribute(string name, long value) => new ProtobufWriter().String(1, name).Varint(3, value).Varint(20, AttributeInt);

    /// <summary>AttributeProto { name = 1, f = 2, type = 20 }.</summary>
    public static ProtobufWriter FloatAttribute(string name, float value) => new ProtobufWriter().String(1, name).Float(2, value).Varint(20, AttributeFloat);

    /// <summary>AttributeProto { name = 1, floats = 7 (packed), type = 20 }.</summary>
    public static ProtobufWriter FloatsAttribute(string name, params float[] values) => new ProtobufWriter().String(1, name).PackedFloats(7, values).Varint(20, AttributeFloats);

    /// <summary>AttributeProto { name = 1, strings = 9 (repeated bytes), type = 20 }.</summary>
    public static ProtobufWriter StringsAttribute(string name, params string[] values)
    {
        var attribute = new ProtobufWriter().String(1, name);
        foreach (var value in values)
        {
            attribute.String(9, value);
        }

        return attribute.Varint(20, AttributeStrings);
    }

    /// <summary>
    /// ModelProto { ir_version = 1, producer_name = 2, graph = 7, opset_import = 8 }, GraphProto { node = 1, name = 2,
    /// initializer = 5, input = 11, output = 12 }, OperatorSetIdProto { domain = 1, version = 2 }.
    /// </summary>
    public byte[] ToModel()
    {
        var graph = new ProtobufWriter();
        _nodes.ForEach(n => graph.Message(1, n));
        graph.String(2, "test-graph");
        _initializers.ForEach(i => graph.Message(5, i));
        _inputs.ForEach(i => graph.Message(11, i));
        _outputs.ForEach(o => graph.Message(12, o));
        var model = new ProtobufWriter().Varint(1, 7).String(2, "FeedbackLoop.Tests").Message(7, graph).Message(8, new ProtobufWriter().Varint(2, 13));
        if (_usesMlDomain)
        {
            model.Message(8, new ProtobufWriter().String(1, "ai.onnx.ml").Varint(2, 2));
        }

        return model.ToArray();
    }

    private static ProtobufWriter ValueInfo(string name, int elementType, long?[] shape)
    {
        var dims = new ProtobufWriter();
        for (var i = 0; i < shape.Length; i++)
        {
            dims.Message(1, shape[i] is { } value ? new ProtobufWriter().Varint(1, value) : new ProtobufWriter().String(2, i == 0 ? "N" : $"D{i}"));
        }

        var tensor = new ProtobufWriter().Varint(1, elementType).Message(2, dims);
        return new ProtobufWriter().String(1, name).Message(2, new ProtobufWriter().Message(1, tensor));
    }
}
