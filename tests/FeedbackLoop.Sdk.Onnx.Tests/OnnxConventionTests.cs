using System.Reflection;
using FeedbackLoop.Onnx;
using Microsoft.Extensions.Options;

namespace FeedbackLoop.Tests;

/// <summary>The API rules of ConventionTests (STYLE.md, conventions 1, 3, 4 and 15), applied to FeedbackLoop.Sdk.Onnx.</summary>
public sealed class OnnxConventionTests
{
    private static readonly Type[] PublicTypes = typeof(OnnxModel).Assembly.GetExportedTypes();

    [Fact]
    public void PublicTypes_LiveInConceptNamespacesUnderFeedbackLoop()
    {
        PublicTypes.Should().OnlyContain(t => t.Namespace != null && t.Namespace.StartsWith("FeedbackLoop", StringComparison.Ordinal) && !t.Namespace.Contains(".Sdk", StringComparison.Ordinal));
        typeof(OnnxFeedbackLoopBuilderExtensions).Namespace.Should().Be("FeedbackLoop", "builder extensions appear without an extra using");
    }

    [Fact]
    public void PublicClasses_AreSealedOrStatic()
    {
        PublicTypes.Where(t => t.IsClass).Should().OnlyContain(t => t.IsSealed);
    }

    [Fact]
    public void OptionsTypes_HaveAValidator()
    {
        var options = PublicTypes.Where(t => t.IsClass && t.Name.EndsWith("Options", StringComparison.Ordinal)).ToList();

        options.Should().HaveCount(2);
        foreach (var type in options)
        {
            PublicTypes.Should().Contain(t => t.GetInterfaces().Contains(typeof(IValidateOptions<>).MakeGenericType(type)), $"{type.Name} is validated");
        }
    }

    [Fact]
    public void PublicAsyncMethods_TakeACancellationToken()
    {
        var offenders = PublicTypes
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Where(m => typeof(Task).IsAssignableFrom(m.ReturnType) || (m.ReturnType.IsGenericType && m.ReturnType.GetGenericTypeDefinition() == typeof(ValueTask<>)))
            .Where(m => !m.GetParameters().Any(p => p.ParameterType == typeof(CancellationToken)))
            .Select(m => $"{m.DeclaringType!.Name}.{m.Name}");

        offenders.Should().BeEmpty();
    }
}
