using System.Reflection;
using FeedbackLoop.Simulation;

namespace FeedbackLoop.Tests;

/// <summary>API rules checked by reflection over the shipped assemblies (STYLE.md, conventions 4, 3 and 15).</summary>
public class ConventionTests
{
    private static readonly Assembly[] Shipped =
    [
        typeof(IFeedbackLoop).Assembly,
        typeof(FeedbackLoopBuilder).Assembly,
        typeof(SeaStream).Assembly,
    ];

    private static IEnumerable<Type> PublicTypes => Shipped.SelectMany(a => a.GetExportedTypes());

    [Fact]
    public void PublicAsyncMethods_TakeACancellationToken()
    {
        var offenders = PublicTypes
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Where(m => typeof(Task).IsAssignableFrom(m.ReturnType) || (m.ReturnType.IsGenericType && m.ReturnType.GetGenericTypeDefinition() == typeof(ValueTask<>)))
            .Where(m => !m.GetParameters().Any(p => p.ParameterType == typeof(CancellationToken)))
            .Select(m => $"{m.DeclaringType!.Name}.{m.Name}")
            .ToList();

        offenders.Should().BeEmpty();
    }

    [Fact]
    public void OptionsTypes_AreSealed()
    {
        var options = PublicTypes.Where(t => t.Name.EndsWith("Options", StringComparison.Ordinal) && t.IsClass).ToList();

        options.Should().NotBeEmpty();
        options.Should().OnlyContain(t => t.IsSealed);
    }

    [Fact]
    public void PublicTypes_LiveInConceptNamespacesUnderFeedbackLoop()
    {
        var offenders = PublicTypes
            .Where(t => t.Namespace is null || !t.Namespace.StartsWith("FeedbackLoop", StringComparison.Ordinal) || t.Namespace.Contains(".Sdk", StringComparison.Ordinal))
            .Select(t => t.FullName)
            .ToList();

        offenders.Should().BeEmpty();
    }

    [Fact]
    public void Abstractions_DependOnNothingButTheFramework()
    {
        var references = typeof(IFeedbackLoop).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        references.Should().OnlyContain(name => name.StartsWith("System", StringComparison.Ordinal) || name == "netstandard");
    }
}
