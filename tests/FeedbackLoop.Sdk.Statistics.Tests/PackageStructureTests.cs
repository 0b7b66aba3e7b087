using System.Reflection;
using System.Reflection.Emit;
using FeedbackLoop.Drift;

namespace FeedbackLoop.Tests;

/// <summary>
/// The statistics package's folders depend on each other in one direction only, and the package depends on nothing
/// but Abstractions and MathNet: read from the compiled assembly, signatures and method bodies alike.
/// </summary>
public class PackageStructureTests
{
    private static readonly Assembly Statistics = typeof(Adwin).Assembly;

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(field => (OpCode)field.GetValue(null)!)
        .ToDictionary(code => code.Value);

    [Fact]
    public void Assembly_References_OnlyAbstractionsAndMathNet()
    {
        var references = Statistics.GetReferencedAssemblies().Select(name => name.Name!).Where(name => !IsFramework(name));

        references.Should().BeEquivalentTo("FeedbackLoop.Sdk.Abstractions", "MathNet.Numerics");
    }

    [Fact]
    public void Namespaces_DependOnEachOtherWithoutACycle()
    {
        var edges = NamespaceDependencies();

        // Depth-first search for a back edge.
        var state = new Dictionary<string, int>(StringComparer.Ordinal);
        var cycles = new List<string>();
        foreach (var node in edges.Keys)
        {
            Visit(node, [node]);
        }

        cycles.Should().BeEmpty("the folders of the statistics package form layers: {0}", Describe(edges));
        edges.Should().ContainKey("FeedbackLoop.Evaluation").WhoseValue.Should().NotContain("FeedbackLoop.Drift");
        edges["FeedbackLoop.Drift"].Should().Contain("FeedbackLoop.Evaluation", "the domain classifier scores its folds with ROC AUC (read from a method body)");
        edges.Should().ContainKey("FeedbackLoop.Numerics").WhoseValue.Should().BeEmpty("the numerics kernel is the bottom layer");

        void Visit(string node, List<string> path)
        {
            if (state.GetValueOrDefault(node) == 2)
            {
                return;
            }

            state[node] = 1;
            foreach (var next in edges.GetValueOrDefault(node, []))
            {
                if (state.GetValueOrDefault(next) == 1)
                {
                    cycles.Add(string.Join(" -> ", path.Append(next)));
                }
                else
                {
                    Visit(next, [.. path, next]);
                }
            }

            state[node] = 2;
        }
    }

    private static string Describe(Dictionary<string, HashSet<string>> edges) =>
        string.Join("; ", edges.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key} -> [{string.Join(", ", e.Value.Order(StringComparer.Ordinal))}]"));

    private static Dictionary<string, HashSet<string>> NamespaceDependencies()
    {
        var edges = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var type in Statistics.GetTypes())
        {
            var from = Layer(type);
            if (from is null)
            {
                continue;
            }

            var targets = edges.TryGetValue(from, out var set) ? set : edges[from] = new HashSet<string>(StringComparer.Ordinal);
            foreach (var used in UsedTypes(type).Select(Layer).OfType<string>().Where(to => to != from))
            {
                targets.Add(used);
            }
        }

        return edges;
    }

    /// <summary>The namespace below FeedbackLoop that a type of this assembly belongs to (sub-namespaces fold into it).</summary>
    private static string? Layer(Type type)
    {
        while (type.IsGenericType && !type.IsGenericTypeDefinition)
        {
            type = type.GetGenericTypeDefinition();
        }

        if (type.HasElementType)
        {
            return Layer(type.GetElementType()!);
        }

        if (type.Assembly != Statistics || type.Namespace is null)
        {
            return null;
        }

        var parts = type.Namespace.Split('.');
        return parts.Length >= 2 ? $"{parts[0]}.{parts[1]}" : type.Namespace;
    }

    private static IEnumerable<Type> UsedTypes(Type type)
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        if (type.BaseType is { } baseType)
        {
            yield return baseType;
        }

        foreach (var item in type.GetInterfaces().Concat(type.IsGenericType ? type.GetGenericArguments() : []))
        {
            yield return item;
        }

        foreach (var field in type.GetFields(all))
        {
            yield return field.FieldType;
        }

        foreach (var method in type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all)))
        {
            if (method is MethodInfo info)
            {
                yield return info.ReturnType;
            }

            foreach (var parameter in method.GetParameters())
            {
                yield return parameter.ParameterType;
            }

            foreach (var used in BodyTypes(method))
            {
                yield return used;
            }
        }
    }

    /// <summary>The types a method body names: in the members it calls or reads and in the types it creates, casts to or loads.</summary>
    private static IEnumerable<Type> BodyTypes(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null)
        {
            yield break;
        }

        var module = method.Module;
        var typeArguments = method.DeclaringType is { IsGenericType: true } declaring ? declaring.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        var position = 0;
        while (position < il.Length)
        {
            short value = il[position++];
            if (value == 0xFE)
            {
                value = unchecked((short)(0xFE00 | il[position++]));
            }

            var code = OpCodesByValue[value];
            switch (code.OperandType)
            {
                case OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok:
                    var member = module.ResolveMember(BitConverter.ToInt32(il, position), typeArguments, methodArguments);
                    if (member is Type used)
                    {
                        yield return used;
                    }
                    else if (member?.DeclaringType is { } owner)
                    {
                        yield return owner;
                    }

                    position += 4;
                    break;
                case OperandType.InlineSwitch:
                    position += 4 + (4 * BitConverter.ToInt32(il, position));
                    break;
                default:
                    position += OperandSize(code.OperandType);
                    break;
            }
        }
    }

    private static int OperandSize(OperandType operand) => operand switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        _ => 4,
    };

    private static bool IsFramework(string name) =>
        name is "System" or "netstandard" or "mscorlib" || name.StartsWith("System.", StringComparison.Ordinal) || name.StartsWith("Microsoft.Win32", StringComparison.Ordinal);
}
