using System.Reflection;
using FeedbackLoop.MLNet;

namespace FeedbackLoop.Tests;

/// <summary>The package keeps the API rules ConventionTests checks for the core assemblies (STYLE.md, conventions 1, 3, 4 and 15).</summary>
public class MLNetConventionTests
{
    private static readonly Type[] PublicTypes = typeof(MLNetTrainer).Assembly.GetExportedTypes();

    [Fact]
    public void PublicAsyncMethods_TakeACancellationToken()
    {
        var offenders = PublicTypes
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Where(m => typeof(Task).IsAssignableFrom(m.ReturnType))
            .Where(m => !m.GetParameters().Any(p => p.ParameterType == typeof(CancellationToken)))
            .Select(m => $"{m.DeclaringType!.Name}.{m.Name}");

        offenders.Should().BeEmpty();
    }

    [Fact]
    public void PublicClasses_AreSealedOrStatic_InConceptNamespaces()
    {
        PublicTypes.Where(t => t.IsClass).Should().OnlyContain(t => t.IsSealed);
        PublicTypes.Select(t => t.Namespace).Distinct().Should().BeEquivalentTo("FeedbackLoop", "FeedbackLoop.MLNet");
        typeof(MLNetFeedbackLoopBuilderExtensions).Namespace.Should().Be("FeedbackLoop", "builder extensions appear without extra usings");
    }
}
